#include "kafka/kafka_feed.hpp"

// What a feed hands its sink: consumed messages as records, less what the
// delivery reports offered before (kafka_feed.cpp runs the consumer).

#include <utility>

#include <caf/all.hpp>
#include <librdkafka/rdkafka.h>

#include "kafka/kafka_common.hpp"
#include "src/record_checks.hpp"
#include "src/log.hpp"
#include "src/time.hpp"

namespace logbase {

kafka_feed::positions kafka_feed::offered_so_far() {
  std::lock_guard<std::mutex> guard{mutex_};
  return next_;
}

void kafka_feed::forward(record_batch batch) {
  // Read here, not on the actors' thread; before the lock, which the
  // delivery thread waits on.
  read_events(batch);
  std::lock_guard<std::mutex> guard{mutex_};
  // Filtered in place: a restore's batches are large.
  auto& records = batch.records;
  auto& events = batch.events;
  size_t kept = 0;
  for (size_t k = 0; k < records.size(); ++k) {
    auto& r = records[k];
    auto [i, fresh] = next_.try_emplace({r.topic_id, r.partition}, 0);
    if (!fresh && r.offset < i->second)
      continue; // offered before
    i->second = r.offset + 1;
    if (kept != k) {
      records[kept] = std::move(r);
      if (!events.empty())
        events[kept] = std::move(events[k]);
    }
    ++kept;
  }
  records.resize(kept);
  if (!events.empty())
    events.resize(kept);
  for (auto& end : batch.reached_end) {
    auto [i, fresh] = next_.try_emplace({end.topic_id, end.partition},
                                        end.start_offset);
    if (!fresh)
      i->second = std::max(i->second, end.start_offset);
  }
  if (!records.empty() || !batch.reached_end.empty())
    caf::anon_send(sink_, records_atom::value, std::move(batch));
}

void kafka_feed::offer(const std::vector<caf::message>& own) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<uint32_t> taken;
  for (auto& msg : own) {
    auto& records = msg.get_as<record_batch>(1).records;
    taken.clear();
    auto i = next_.end();
    for (uint32_t k = 0; k < records.size(); ++k) {
      auto& r = records[k];
      if (i == next_.end() || i->first.first != r.topic_id
          || i->first.second != r.partition)
        i = next_.find({r.topic_id, r.partition});
      // Only what continues the partition exactly: anything between is
      // someone else's, and the consumer brings it first.
      if (i == next_.end() || i->second != r.offset)
        continue;
      i->second = r.offset + 1;
      taken.push_back(k);
    }
    if (taken.size() == records.size()) {
      // The same message as other feeds get: no copy of the records (a
      // typed handle would make a new message of its arguments).
      caf::anon_send(caf::actor_cast<caf::actor>(sink_), msg);
    } else if (!taken.empty()) {
      auto& events = msg.get_as<record_batch>(1).events;
      record_batch out;
      out.records.reserve(taken.size());
      for (auto k : taken) {
        out.records.push_back(records[k]);
        if (!events.empty())
          out.events.push_back(events[k]);
      }
      caf::anon_send(sink_, records_atom::value, std::move(out));
    }
  }
}

std::vector<assignment> kafka_feed::pass_on(rd_kafka_message_t* const* msgs,
                                            size_t n,
                                            const positions& offered) {
  record_batch batch;
  batch.records.reserve(n);
  for (size_t i = 0; i < n; ++i)
    take(*msgs[i], offered, batch);
  if (fetched_back_ > 0)
    global_metrics().records_fetched_back.Increment(
      static_cast<double>(std::exchange(fetched_back_, 0)));
  for (auto& end : batch.reached_end)
    follow_.reached_end({end.topic_id, end.partition});
  auto reached = batch.reached_end;
  if (!batch.records.empty() || !batch.reached_end.empty())
    forward(std::move(batch));
  watch_poll(msgs, n, reached);
  return reached;
}

void kafka_feed::take(const rd_kafka_message_t& m, const positions& offered,
                      record_batch& batch) {
  if (m.rkt == nullptr) { // not about a partition
    if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      log(log_level::warn, "kafka_bridge", "consumer: ",
          rd_kafka_message_errstr(&m));
    return;
  }
  auto topic_id = topic_id_of(m.rkt);
  if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (topic_id != unknown_topic)
      batch.reached_end.push_back(assignment{topic_id, m.partition, m.offset});
    return;
  }
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log(log_level::warn, "kafka_bridge", "consumer: ",
        rd_kafka_message_errstr(&m));
    return;
  }
  if (topic_id == unknown_topic)
    return;
  // librdkafka tells the end only after one more fetch, which waits
  // fetch.wait.max.ms on the broker; the end asked for at the start is
  // known now, also when the record itself was offered before.
  // (Transactional topics end past a commit marker the consumer never
  // sees: those wait for librdkafka.)
  if (!ends_.empty()) {
    auto e = ends_.find({topic_id, m.partition});
    if (e != ends_.end() && m.offset + 1 >= e->second) {
      batch.reached_end.push_back(assignment{topic_id, m.partition, e->second});
      ends_.erase(e);
    }
  }
  if (offered_before(m, {topic_id, m.partition}, offered)) {
    ++fetched_back_;
    return; // offered before: no copy of what forward() would drop
  }
  auto& r = batch.records.emplace_back();
  r.topic_id = topic_id;
  r.partition = m.partition;
  r.offset = m.offset;
  r.timestamp_ms = rd_kafka_message_timestamp(&m, nullptr);
  if (m.key != nullptr)
    r.key.assign(static_cast<const char*>(m.key), m.key_len);
  r.tombstone = m.payload == nullptr;
  if (!r.tombstone)
    r.value.assign(static_cast<const char*>(m.payload), m.len);
  r.headers = read_headers(&m);
  if (min_log_level() == log_level::debug)
    log(log_level::debug, "kafka_bridge", "consumed ",
        rd_kafka_topic_name(m.rkt), "/", r.partition, "@", r.offset, " lag ",
        now_ns() / 1'000'000 - r.timestamp_ms, " ms");
}

} // namespace logbase
