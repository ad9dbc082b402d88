#include "kafka/kafka_feed.hpp"

// When a feed fetches the partitions it follows (kafka_feed.cpp runs the
// consumer): which rest between fetches, pausing and resuming them, and
// getting a stalled fetcher going again.

#include <librdkafka/rdkafka.h>

#include "src/log.hpp"
#include "src/time.hpp"
#include "src/topics.hpp"

namespace logbase {

namespace {

/// Topics whose followed partitions rest (see follow_schedule): those this
/// node writes at volume and gets back from delivery reports. A members or
/// id-block record is rare and awaited (a route, an id claim); after a rest
/// the next fetch sometimes came up to a second late, and peers routed by
/// a stale members map for that long after a rebalance.
bool rests_between_fetches(uint8_t topic_id) {
  return topic_id == id_of(topic::events)
         || topic_id == id_of(topic::stats_changelog)
         || topic_id == id_of(topic::accounts);
}

} // namespace

std::vector<follow_schedule::key>
kafka_feed::to_rest(rd_kafka_message_t* const* msgs, size_t n,
                    const positions& offered) {
  // Looked up once per run of one partition's messages. A partition with
  // more to read goes on: someone else writes it faster than one fetch per
  // interval would read (a pause also drops what was fetched beyond). One
  // whose last record the sink had before rests too: under this node's
  // own writes the consumer prefetches, so it rarely stands at the end as
  // the last fetch saw it, and it fetched every write back.
  std::vector<follow_schedule::key> rest;
  auto now = now_ns();
  bool brought = false; // a record, not only the end, in this run
  for (size_t i = 0; i < n; ++i) {
    auto& m = *msgs[i];
    brought = brought || m.err == RD_KAFKA_RESP_ERR_NO_ERROR;
    bool last_of_run = i + 1 == n || msgs[i + 1]->rkt != m.rkt
                       || msgs[i + 1]->partition != m.partition;
    if (m.rkt == nullptr || !last_of_run)
      continue;
    follow_schedule::key k{topic_id_of(m.rkt), m.partition};
    if (brought && rests_between_fetches(k.first)
        && (read_to_end(m) || offered_before(m, k, offered))
        && follow_.pause_after(k, now))
      rest.push_back(k);
    brought = false;
  }
  return rest;
}

bool kafka_feed::offered_before(const rd_kafka_message_t& m,
                                follow_schedule::key k,
                                const positions& offered) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return false;
  auto o = offered.find(k);
  return o != offered.end() && m.offset < o->second;
}

bool kafka_feed::read_to_end(const rd_kafka_message_t& m) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return true; // the partition's end, or an error: nothing more to read
  int64_t low = 0;
  int64_t high = 0;
  // The end the last fetch response told: no request to the broker.
  if (rd_kafka_get_watermark_offsets(consumer_->c_ptr(),
                                     rd_kafka_topic_name(m.rkt), m.partition,
                                     &low, &high)
      != RD_KAFKA_RESP_ERR_NO_ERROR)
    return true;
  return m.offset + 1 >= high;
}

void kafka_feed::restart_fetching() {
  may_stall_ = false;
  std::vector<assignment> reading;
  for (auto& [k, end] : ends_)
    reading.push_back(assignment{k.first, k.second, -1});
  // Any answer from the broker wakes the thread that fetches from it,
  // which then sees the queue empty; a pause and resume would discard a
  // fetch in flight.
  if (!reading.empty())
    offsets_at(*consumer_, reading, RdKafka::Topic::OFFSET_END);
}

void kafka_feed::skip_offered(std::vector<RdKafka::TopicPartition*>& tps) {
  if (consumer_->position(tps) != RdKafka::ERR_NO_ERROR)
    return;
  auto offered = offered_so_far();
  for (auto* tp : tps) {
    auto id = topic_ids_.find(tp->topic());
    if (id == topic_ids_.end())
      continue;
    auto next = offered.find({id->second, tp->partition()});
    // No position yet (nothing consumed): nothing to skip.
    if (next == offered.end() || tp->offset() < 0
        || next->second <= tp->offset())
      continue;
    tp->set_offset(next->second);
    // Asynchronous; queued before the resume, so the first fetch after it
    // starts there.
    auto err = consumer_->seek(*tp, 0);
    if (err != RdKafka::ERR_NO_ERROR)
      log(log_level::warn, "kafka_bridge", "skipping offered records: ",
          RdKafka::err2str(err));
  }
}

void kafka_feed::pause_or_resume(const std::vector<follow_schedule::key>& parts,
                                 bool pause) {
  if (parts.empty())
    return;
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& [topic_id, partition] : parts)
    tps.push_back(
      RdKafka::TopicPartition::create(names_[topic_id], partition));
  // A pause keeps the position after the last message handed out; what was
  // fetched beyond it is fetched again after the resume.
  if (!pause)
    skip_offered(tps);
  auto err = pause ? consumer_->pause(tps) : consumer_->resume(tps);
  if (err != RdKafka::ERR_NO_ERROR)
    log(log_level::warn, "kafka_bridge", pause ? "pausing" : "resuming",
        " partitions: ", RdKafka::err2str(err));
  RdKafka::TopicPartition::destroy(tps);
}

} // namespace logbase
