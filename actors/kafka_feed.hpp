#pragma once

/// One consumer and the thread of its own that blocks on it: what it reads
/// goes to one sink as record batches, so that no actor ever waits on
/// librdkafka and an idle server sleeps.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "config.hpp"
#include "interfaces.hpp"

namespace logbase {

class kafka_feed {
public:
  /// Creates the consumer and starts its thread; nullptr and `err` when
  /// librdkafka refuses the settings.
  static std::unique_ptr<kafka_feed>
  make(const config& cfg, std::map<std::string, uint8_t> topic_ids,
       record_sink_actor sink, std::string& err);

  /// Stops the thread and closes the consumer.
  ~kafka_feed();

  /// Asks the thread to stop, without waiting for it.
  void stop();

  kafka_feed(const kafka_feed&) = delete;
  kafka_feed& operator=(const kafka_feed&) = delete;

  /// Adds partitions to read; "" or why librdkafka refused.
  std::string assign(const std::vector<assignment>& parts,
                     const std::vector<std::string>& topic_names);

  /// The end offset of a partition as the last fetch reported, -1 if
  /// unknown. Never blocks.
  int64_t cached_end(const std::string& topic, int32_t partition);

  const record_sink_actor& sink() const {
    return sink_;
  }

  /// Records this process wrote, in offset order per partition, as their
  /// delivery reports tell: those that continue exactly where this feed
  /// stands go to the sink now, and the consumer's copies are dropped when
  /// they come. A write is then read back without waiting for a fetch, and
  /// the sink still sees every offset once, in order.
  void offer(const std::vector<in_record>& own);

private:
  kafka_feed(std::unique_ptr<RdKafka::KafkaConsumer> consumer,
             std::map<std::string, uint8_t> topic_ids, record_sink_actor sink);

  /// The thread: blocks in consume() and forwards what comes.
  void run();

  /// Adds one consumed message (or end of partition) to `batch`.
  void take(RdKafka::Message& m, record_batch& batch);

  /// Whether `offer` sent this record to the sink already.
  bool offered_before(uint8_t topic_id, int32_t partition, int64_t offset);

  /// Sends what the consumer read, less what `offer` sent before.
  void forward(record_batch batch);

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::map<std::string, uint8_t> topic_ids_;
  record_sink_actor sink_;
  std::atomic<bool> stop_{false};
  /// Guards next_ and orders what goes to the sink.
  std::mutex mutex_;
  /// The next offset to hand to the sink, per (topic id, partition), once
  /// known (after a record or the end of the partition).
  std::map<std::pair<uint8_t, int32_t>, int64_t> next_;
  std::thread thread_;
};

} // namespace logbase
