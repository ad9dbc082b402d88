#include "kafka/kafka_feed.hpp"

// A feed's consumers: the one it follows its partitions with, and
// short-lived ones that read partitions a running feed is given (a
// failover, a rebalance) up to their ends, which the broker answers within
// milliseconds; the offsets asked of either. kafka_feed.cpp runs the feed.

#include <algorithm>
#include <set>

#include <librdkafka/rdkafka.h>

#include "kafka/kafka_common.hpp"
#include "src/log.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// Past this, the feed's own consumer reads on (it keeps a long restore
/// fetching, see stall_queue_length), so that the feed's other partitions
/// never wait longer than this for a takeover.
constexpr int64_t catch_up_limit_ns = 5'000'000'000;

/// How long the first and end offsets of new partitions may take; without
/// them the partitions are read from their start all the same.
constexpr int offsets_timeout_ms = 3000;

constexpr int catch_up_poll_ms = 100;
constexpr size_t catch_up_batch = 5000;

} // namespace

std::unique_ptr<RdKafka::KafkaConsumer>
kafka_feed::make_consumer(const config& cfg, int fetch_wait_ms,
                          std::string& err) {
  // Positions live in the subscribers (restored from topics), never in the
  // group: nothing is committed, the group id only names the client.
  auto conf = make_conf(
    cfg,
    {{"group.id", cfg.app_id + "-" + cfg.name_of_node()},
     {"enable.auto.commit", "false"},
     {"enable.auto.offset.store", "false"},
     {"enable.partition.eof", "true"},
     {"isolation.level", "read_committed"},
     {"auto.offset.reset", "earliest"},
     // The broker answers a fetch as soon as one byte is there; the wait
     // only bounds an empty long poll. (Batching fetches with a large
     // fetch.min.bytes made writes ~0.5 ms faster, since own writes come
     // from delivery reports, but restarts after kill -9 then waited up to
     // a minute for the changelog's end; not understood yet, so not used.)
     {"fetch.wait.max.ms", std::to_string(fetch_wait_ms)},
     {"fetch.error.backoff.ms", "50"}},
    err);
  if (!conf)
    return nullptr;
  coarse_timer_slack slack;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer{
    RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!consumer)
    err = "cannot create a Kafka consumer: " + err;
  return consumer;
}

std::vector<int64_t>
kafka_feed::offsets_at(RdKafka::KafkaConsumer& asker,
                       const std::vector<assignment>& parts, int64_t when) {
  // One ListOffsets request for all partitions; -2 asks for the first
  // offset, -1 for the end (the last stable offset, read_committed).
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& a : parts)
    tps.push_back(RdKafka::TopicPartition::create(names_[a.topic_id],
                                                  a.partition, when));
  std::vector<int64_t> out(parts.size(), -1);
  if (asker.offsetsForTimes(tps, offsets_timeout_ms)
      == RdKafka::ERR_NO_ERROR)
    for (size_t i = 0; i < tps.size(); ++i)
      if (tps[i]->err() == RdKafka::ERR_NO_ERROR)
        out[i] = tps[i]->offset();
  RdKafka::TopicPartition::destroy(tps);
  return out;
}

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
    for (auto& end : pass_on(msgs.data(), n, offered_so_far()))
      left.erase({end.topic_id, end.partition});
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
