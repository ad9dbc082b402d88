#pragma once

/// What the Kafka bridge's parts share of librdkafka: configuration from
/// logbase's config (bootstrap servers, logbase's client defaults, the
/// part's own settings, then the user's `kafka.*` settings on top),
/// producing one out_record and reading a message's headers.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "src/config.hpp"
#include "messages/inspect.hpp"

namespace logbase {

/// Makes the librdkafka clients created in its scope wake up to a
/// millisecond late instead of early. librdkafka 2.0.2 (Debian's) waits for
/// its next timer in whole milliseconds rounded down, then spins until the
/// timer is due (librdkafka #4684, fixed in 2.3.1): up to a millisecond of
/// busy polling per timer, per client, most of an idle server's CPU. Its
/// threads inherit the timer slack of the thread that creates the client,
/// and a slack of a millisecond lets a wait end past the timer. Only
/// timers are late by it; messages, replies and wake-ups are not.
class coarse_timer_slack {
public:
  coarse_timer_slack();
  ~coarse_timer_slack();
  coarse_timer_slack(const coarse_timer_slack&) = delete;
  coarse_timer_slack& operator=(const coarse_timer_slack&) = delete;

private:
  long before_;
};

/// The settings for one librdkafka client; nullptr with `err` naming the
/// setting librdkafka refused.
std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra,
          std::string& err);

/// Produces `r` (with its headers) to `topic` without blocking;
/// ERR__QUEUE_FULL when the local queue is full.
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque);
/// The same through a topic handle of `producer`: librdkafka then looks
/// nothing up (by name it finds the topic under its client-wide write lock,
/// once per record).
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  RdKafka::Topic& topic, const out_record& r,
                                  void* opaque);

/// The headers of a consumed or delivered message (none: empty).
std::vector<record_header> read_headers(const rd_kafka_message_t* m);
std::vector<record_header> read_headers(RdKafka::Message& m);

} // namespace logbase
