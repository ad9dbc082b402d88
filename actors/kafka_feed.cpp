#include "kafka_feed.hpp"

#include <caf/all.hpp>
#include <librdkafka/rdkafka.h>

#include "kafka_common.hpp"
#include "log.hpp"
#include "window.hpp"

namespace logbase {

namespace {

/// At most this many records per message to the sink: a restore moves in
/// large steps, yet one message never holds a sink for long.
constexpr int max_records_per_batch = 5000;

/// The consumer wakes this often when idle, only to see whether it should
/// stop (shutdown also interrupts it).
constexpr int idle_wait_ms = 1000;

} // namespace

std::unique_ptr<kafka_feed>
kafka_feed::make(const config& cfg, std::map<std::string, uint8_t> topic_ids,
                 record_sink_actor sink, std::string& err) {
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
     {"fetch.wait.max.ms", "500"},
     {"fetch.error.backoff.ms", "50"}},
    err);
  if (!conf)
    return nullptr;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer{
    RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!consumer) {
    err = "cannot create a Kafka consumer: " + err;
    return nullptr;
  }
  std::unique_ptr<kafka_feed> feed{
    new kafka_feed(std::move(consumer), std::move(topic_ids), std::move(sink))};
  feed->thread_ = std::thread{[f = feed.get()] { f->run(); }};
  return feed;
}

kafka_feed::kafka_feed(std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                       std::map<std::string, uint8_t> topic_ids,
                       record_sink_actor sink)
  : consumer_(std::move(consumer)),
    topic_ids_(std::move(topic_ids)),
    sink_(std::move(sink)) {
  // nop
}

kafka_feed::~kafka_feed() {
  stop();
  if (thread_.joinable())
    thread_.join();
  auto t0 = now_ns();
  consumer_->close();
  log(log_level::debug, "kafka_bridge", "closed a consumer in ",
      (now_ns() - t0) / 1000, " us");
}

void kafka_feed::stop() {
  stop_ = true;
  // consume() waits on the consumer queue: wake that queue itself
  // (Handle::yield() did not interrupt it).
  auto* q = rd_kafka_queue_get_consumer(consumer_->c_ptr());
  if (q != nullptr) {
    rd_kafka_queue_yield(q);
    rd_kafka_queue_destroy(q);
  }
}

std::string kafka_feed::assign(const std::vector<assignment>& parts,
                               const std::vector<std::string>& topic_names) {
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& a : parts)
    tps.push_back(RdKafka::TopicPartition::create(
      topic_names[a.topic_id], a.partition,
      a.start_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING : a.start_offset));
  std::unique_ptr<RdKafka::Error> e{consumer_->incremental_assign(tps)};
  RdKafka::TopicPartition::destroy(tps);
  return e ? "cannot read partitions: " + e->str() : std::string{};
}

int64_t kafka_feed::cached_end(const std::string& topic, int32_t partition) {
  int64_t low = 0;
  int64_t high = -1;
  if (consumer_->get_watermark_offsets(topic, partition, &low, &high)
      != RdKafka::ERR_NO_ERROR)
    return -1;
  return high;
}

void kafka_feed::run() {
  while (!stop_) {
    std::unique_ptr<RdKafka::Message> m{consumer_->consume(idle_wait_ms)};
    if (stop_)
      break;
    record_batch batch;
    // Whatever else is already fetched goes along without waiting.
    for (int n = 0; m->err() != RdKafka::ERR__TIMED_OUT; ++n) {
      take(*m, batch);
      if (n + 1 >= max_records_per_batch)
        break;
      m.reset(consumer_->consume(0));
    }
    if (!batch.records.empty() || !batch.reached_end.empty())
      forward(std::move(batch));
  }
}

bool kafka_feed::offered_before(uint8_t topic_id, int32_t partition,
                                int64_t offset) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = next_.find({topic_id, partition});
  return i != next_.end() && offset < i->second;
}

void kafka_feed::forward(record_batch batch) {
  std::lock_guard<std::mutex> guard{mutex_};
  record_batch out;
  out.records.reserve(batch.records.size());
  for (auto& r : batch.records) {
    auto [i, fresh] = next_.try_emplace({r.topic_id, r.partition}, 0);
    if (!fresh && r.offset < i->second)
      continue; // offered before
    i->second = r.offset + 1;
    out.records.push_back(std::move(r));
  }
  for (auto& end : batch.reached_end) {
    auto [i, fresh] = next_.try_emplace({end.topic_id, end.partition},
                                        end.start_offset);
    if (!fresh)
      i->second = std::max(i->second, end.start_offset);
  }
  out.reached_end = std::move(batch.reached_end);
  if (!out.records.empty() || !out.reached_end.empty())
    caf::anon_send(sink_, records_atom::value, std::move(out));
}

void kafka_feed::offer(const std::vector<in_record>& own) {
  std::lock_guard<std::mutex> guard{mutex_};
  record_batch out;
  for (auto& r : own) {
    auto i = next_.find({r.topic_id, r.partition});
    // Only what continues the partition exactly: anything between is
    // someone else's, and the consumer brings it first.
    if (i == next_.end() || i->second != r.offset)
      continue;
    i->second = r.offset + 1;
    out.records.push_back(r);
  }
  if (!out.records.empty())
    caf::anon_send(sink_, records_atom::value, std::move(out));
}

void kafka_feed::take(RdKafka::Message& m, record_batch& batch) {
  if (m.err() == RdKafka::ERR__TIMED_OUT)
    return;
  auto t = topic_ids_.find(m.topic_name());
  if (m.err() == RdKafka::ERR__PARTITION_EOF) {
    if (t != topic_ids_.end())
      batch.reached_end.push_back(
        assignment{t->second, m.partition(), m.offset()});
    return;
  }
  if (m.err() != RdKafka::ERR_NO_ERROR) {
    log(log_level::warn, "kafka_bridge", "consumer: ", m.errstr());
    return;
  }
  if (t == topic_ids_.end())
    return;
  if (offered_before(t->second, m.partition(), m.offset()))
    return; // no copy of what forward() would drop
  in_record r;
  r.topic_id = t->second;
  r.partition = m.partition();
  r.offset = m.offset();
  r.timestamp_ms = m.timestamp().timestamp;
  if (m.key())
    r.key = *m.key();
  r.tombstone = m.payload() == nullptr;
  if (!r.tombstone)
    r.value.assign(static_cast<const char*>(m.payload()), m.len());
  r.headers = read_headers(m);
  if (min_log_level() == log_level::debug)
    log(log_level::debug, "kafka_bridge", "consumed ", m.topic_name(), "/",
        r.partition, "@", r.offset, " lag ",
        now_ns() / 1'000'000 - r.timestamp_ms, " ms");
  batch.records.push_back(std::move(r));
}

} // namespace logbase
