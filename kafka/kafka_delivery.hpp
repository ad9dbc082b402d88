#pragma once

/// The bridge's producer and its delivery reports as plain values: the
/// bridge's delivery thread polls the producer, this callback collects what
/// came, and the thread hands it to the bridge in one message.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/message.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "src/config.hpp"
#include "messages/inspect.hpp"
#include "src/metrics.hpp"

namespace logbase {

/// Which record of which produce request a delivery report is about.
struct record_ref {
  uint64_t batch;
  uint32_t index;
  std::optional<event> known_event; ///< out_record::known_event
};

/// Collects delivery reports while the delivery thread polls.
class delivery_reporter : public RdKafka::DeliveryReportCb {
public:
  std::vector<delivery_report> reports;
  /// The records made durable, as a consumer would read them.
  std::vector<in_record> durable;
  /// One per durable record: its event, when the writer handed it along.
  std::vector<std::optional<event>> durable_events;
  /// Set once, before the producer's first poll.
  const std::map<std::string, uint8_t>* topic_ids = nullptr;
  /// The delivered records' produce latencies, until the poll is over.
  produce_tally latencies;

  void dr_cb(RdKafka::Message& m) override;

private:
  /// The topic id of a report's topic handle (-1: not one of ours). The
  /// last handle's id is kept: reports come in runs of one topic, and the
  /// C++ API names the topic with a new string per call.
  int topic_id_of(RdKafka::Message& m);

  const void* last_topic_ = nullptr;
  int last_topic_id_ = -1;

  /// The durable record, as a consumer would read it.
  void keep(RdKafka::Message& m, uint8_t topic_id,
            std::optional<event> known_event);
};

/// The durable records as messages to the feeds' sinks, one
/// (records_atom, record_batch) per topic, in report order within each, the
/// events read ahead (read_events; those known taken as they are).
/// Every feed that takes all of one sends that same message: the records
/// are not copied per feed (the event log and the statistics both follow
/// every events partition).
std::vector<caf::message>
share_by_topic(std::vector<in_record> durable,
               std::vector<std::optional<event>> known_events);

/// The producer of events, accounts and id blocks, reporting to
/// `reporter`; nullptr and `err` when librdkafka refuses the settings.
std::unique_ptr<RdKafka::Producer>
make_event_producer(const config& cfg, delivery_reporter& reporter,
                    std::string& err);

} // namespace logbase
