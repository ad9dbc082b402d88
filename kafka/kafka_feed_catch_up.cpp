#include "kafka/kafka_feed.hpp"

// Partitions a running feed is given (a failover, a rebalance) are read up
// to their ends by a short-lived consumer of their own, which the broker
// answers within milliseconds; kafka_feed.cpp runs the feed.

#include <algorithm>
#include <set>

#include <librdkafka/rdkafka.h>

#include "src/log.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// Past this, the feed's own consumer reads on (it keeps a long restore
/// fetching, see stall_queue_length), so that the feed's other partitions
/// never wait longer than this for a takeover.
constexpr int64_t catch_up_limit_ns = 5'000'000'000;

constexpr int catch_up_poll_ms = 100;
constexpr size_t catch_up_batch = 5000;

} // namespace

std::vector<assignment> kafka_feed::catch_up(RdKafka::KafkaConsumer& own,
                                             std::vector<assignment> parts) {
  auto t0 = now_ns();
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& a : parts)
    tps.push_back(RdKafka::TopicPartition::create(
      names_[a.topic_id], a.partition,
      a.start_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING : a.start_offset));
  auto assigned = own.assign(tps);
  RdKafka::TopicPartition::destroy(tps);
  if (assigned != RdKafka::ERR_NO_ERROR) {
    log(log_level::warn, "kafka_bridge",
        "taken partitions are read by the feed's consumer: ",
        RdKafka::err2str(assigned));
    return parts;
  }
  std::set<partition_key> left;
  for (auto& a : parts)
    left.insert({a.topic_id, a.partition});
  // The other consumer's topic handles die with it: forgotten below,
  // since another handle may later get the same address.
  auto handles = topic_handles_.size();
  auto* queue = rd_kafka_queue_get_consumer(own.c_ptr());
  std::vector<rd_kafka_message_t*> msgs(catch_up_batch);
  while (!left.empty() && !stop_ && now_ns() - t0 < catch_up_limit_ns) {
    msgs[0] = rd_kafka_consumer_poll(own.c_ptr(), catch_up_poll_ms);
    if (msgs[0] == nullptr)
      continue;
    auto more = rd_kafka_consume_batch_queue(queue, 0, msgs.data() + 1,
                                             msgs.size() - 1);
    auto n = static_cast<size_t>(1 + std::max<ssize_t>(more, 0));
    record_batch batch;
    batch.records.reserve(n);
    auto offered = offered_so_far();
    for (size_t i = 0; i < n; ++i)
      take(*msgs[i], offered, batch);
    for (auto& end : batch.reached_end) {
      left.erase({end.topic_id, end.partition});
      follow_.reached_end({end.topic_id, end.partition});
    }
    auto reached = batch.reached_end;
    if (!batch.records.empty() || !batch.reached_end.empty())
      forward(std::move(batch));
    watch_poll(msgs.data(), n, reached);
    for (size_t i = 0; i < n; ++i)
      rd_kafka_message_destroy(msgs[i]);
  }
  rd_kafka_queue_destroy(queue);
  // The feed's consumer goes on from where this one stopped.
  auto at = offered_so_far();
  for (auto& a : parts)
    if (auto i = at.find({a.topic_id, a.partition}); i != at.end())
      a.start_offset = i->second;
  own.unassign();
  topic_handles_.resize(handles);
  log(log_level::debug, "kafka_bridge", "caught up with ",
      parts.size() - left.size(), " of ", parts.size(), " taken partitions in ",
      (now_ns() - t0) / 1'000'000, " ms");
  return parts;
}

} // namespace logbase
