#pragma once

/// The Kafka bridge's state: its producer and delivery thread, the produce
/// requests in flight, the feeds (one consumer per subscriber) and this
/// node's group membership. The behavior is in kafka_bridge.cpp.

#include "kafka/kafka_admin.hpp"
#include "src/config.hpp"
#include "messages/interfaces.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include <caf/all.hpp>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "messages/caf_errors.hpp"
#include "kafka/kafka_common.hpp"
#include "kafka/kafka_delivery.hpp"
#include "kafka/kafka_feed.hpp"
#include "kafka/kafka_membership.hpp"
#include "kafka/kafka_workers.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "kafka/restore_watch.hpp"
#include "src/delivery_spin.hpp"
#include "src/time.hpp"

namespace logbase {

namespace bridge_detail {

/// One produce request: answered when every record is acknowledged.
struct pending_batch {
  caf::typed_response_promise<std::vector<delivery>> promise;
  std::vector<delivery> deliveries;
  size_t outstanding = 0;
  int64_t started_ns = 0; ///< for the debug log's timing
  bool flying = false;    ///< some record is with librdkafka
};

/// A record waiting for room in librdkafka's queue.
struct waiting_record {
  uint64_t batch;
  uint32_t index;
  out_record record;
};

/// Batches with librdkafka at once; later ones wait and then go out
/// together. With linger.ms 0 (so that a lone write leaves at once), records
/// queued behind librdkafka's five requests in flight made its broker
/// thread spin in poll() with no timeout: at 16 writers it burnt a core and
/// wrote 2.5 times less. Four (a batch is mostly one request) kept 1,000-event
/// batches from 4 clients as fast as before; two made them ~30 % slower.
constexpr size_t max_flying_batches = 4;

/// How long the delivery thread sleeps in poll() when nothing happens; it
/// wakes at once for a report, and on shutdown when its queue is woken.
constexpr int delivery_wait_ms = 1000;

} // namespace bridge_detail

using namespace bridge_detail;

struct kafka_bridge_state {
  static inline const char* name = "kafka_bridge";

  config cfg;
  topic_layout layout;
  std::vector<std::string> topic_names;
  std::map<std::string, uint8_t> topic_ids;
  /// On the heap: librdkafka keeps its address.
  std::unique_ptr<delivery_reporter> reporter
    = std::make_unique<delivery_reporter>();
  std::unique_ptr<RdKafka::Producer> producer;
  /// By topic id.
  std::vector<std::unique_ptr<RdKafka::Topic>> topics;
  /// Serves the producer's delivery reports (the only thread that polls
  /// it while the bridge runs), without sleeping for a lone write's.
  std::thread delivery_thread;
  delivery_spin spin;
  std::atomic<bool> stopping{false};

  std::unordered_map<uint64_t, pending_batch> batches;
  /// Past the last record written here, per (topic id, partition).
  std::map<std::pair<uint8_t, int32_t>, int64_t> written_end;
  uint64_t next_batch = 1;
  /// Records that met a full queue or wait for fewer batches in flight, in
  /// order; produced as reports come.
  std::deque<waiting_record> waiting;
  /// Batches in `batches` with records at librdkafka.
  size_t flying_batches = 0;

  /// One consumer per subscriber: each reads its partitions from its own
  /// positions (the statistics resume from their checkpoint, the event log
  /// from the beginning).
  std::vector<std::unique_ptr<kafka_feed>> feeds;
  /// Guards `feeds`: the delivery thread offers them what was written.
  std::mutex feeds_mutex;
  /// What the feeds restore, for /metrics and the log.
  std::shared_ptr<restore_watch> restores = std::make_shared<restore_watch>();
  transactor_actor transactor;
  querier_actor querier;
  /// This node in the app id's consumer group, once joined (the
  /// transactor fences its commits with it).
  std::shared_ptr<membership_slot> group = std::make_shared<membership_slot>();

  /// Makes the producer; throws std::runtime_error for unusable settings
  /// (called by spawn_kafka_bridge, before there is an actor).
  void make_producer(config c, topic_layout l) {
    cfg = std::move(c);
    layout = l;
    topic_names.resize(all_topics.size());
    for (auto t : all_topics) {
      topic_names[static_cast<size_t>(t)] = cfg.topic_name(t);
      topic_ids[cfg.topic_name(t)] = id_of(t);
    }
    std::string err;
    producer = make_event_producer(cfg, *reporter, err);
    if (!producer)
      throw std::runtime_error(err);
    // Topic handles ask for the topics' metadata at once, so that the first
    // write finds its partition leaders known; records go out through them.
    for (auto& name : topic_names) {
      topics.emplace_back(
        RdKafka::Topic::create(producer.get(), name, nullptr, err));
      if (!topics.back())
        throw std::runtime_error("cannot use topic " + name + ": " + err);
    }
  }

  /// Takes over what `make_producer` made on another thread.
  void take_over(kafka_bridge_state&& other) {
    cfg = std::move(other.cfg);
    layout = other.layout;
    topic_names = std::move(other.topic_names);
    topic_ids = std::move(other.topic_ids);
    reporter = std::move(other.reporter);
    producer = std::move(other.producer);
    topics = std::move(other.topics);
  }

  /// Starts the delivery thread; it reports to `bridge` (weakly held, so
  /// that the thread never keeps the bridge alive).
  void start_delivery_thread(caf::weak_actor_ptr bridge);

  /// On the exit message: stop the threads, flush what can still be
  /// delivered, drop the rest, close the consumers. Blocks an actor thread
  /// for up to half the write timeout, but only when the server stops.
  void shut_down() {
    auto t0 = now_ns();
    {
      // Closes its consumer (unless a commit holds it: then after that).
      std::shared_ptr<kafka_membership> m;
      std::lock_guard<std::mutex> guard{group->mutex};
      m.swap(group->current);
    }
    {
      std::lock_guard<std::mutex> guard{feeds_mutex};
      for (auto& f : feeds)
        f->stop(); // all at once, then wait for each
      feeds.clear();
    }
    log(log_level::debug, "kafka_bridge", "stopped the consumers in ",
        (now_ns() - t0) / 1000, " us");
    if (!producer)
      return;
    stop_delivery_thread();
    log(log_level::debug, "kafka_bridge", "stopped the delivery thread in ",
        (now_ns() - t0) / 1000, " us");
    producer->flush(static_cast<int>(cfg.write_timeout_ms / 2));
    producer->purge(RdKafka::Producer::PURGE_QUEUE
                    | RdKafka::Producer::PURGE_INFLIGHT);
    producer->poll(0); // frees the purged records' references
    topics.clear();
    producer.reset();
    // What the flush made durable is answered; the rest fails below.
    on_delivered(std::exchange(reporter->reports, {}));
    log(log_level::debug, "kafka_bridge", "closed the producer in ",
        (now_ns() - t0) / 1000, " us");
    for (auto& [id, b] : batches)
      b.promise.deliver(make_error(error_code::broker_unavailable,
                                   "the server is stopping"));
    batches.clear();
  }

  /// Only if the bridge ends without an exit message: the thread must not
  /// outlive the state it uses.
  ~kafka_bridge_state() {
    stop_delivery_thread();
  }

  /// A lone write: the delivery thread polls without sleeping until its
  /// reports come (delivery_spin).
  void wake_for_reports() {
    spin.arm(now_ns());
    wake_delivery_thread();
  }

  /// Ends the delivery thread's current poll.
  void wake_delivery_thread() {
    if (auto* q = rd_kafka_queue_get_main(producer->c_ptr())) {
      rd_kafka_queue_yield(q);
      rd_kafka_queue_destroy(q);
    }
  }

  void stop_delivery_thread() {
    stopping = true;
    if (!delivery_thread.joinable())
      return;
    wake_delivery_thread();
    delivery_thread.join();
  }

  void fail(uint64_t id, const std::string& why) {
    auto i = batches.find(id);
    if (i == batches.end())
      return;
    global_metrics().produce_failures.Increment();
    if (i->second.flying)
      --flying_batches;
    i->second.promise.deliver(make_error(
      error_code::broker_unavailable,
      "the write could not be made durable in Kafka: " + why));
    batches.erase(i);
  }

  /// Hands one record to librdkafka; false when its queue is full.
  bool try_produce(uint64_t id, uint32_t index, out_record& r) {
    auto* ref = new record_ref{id, index, std::move(r.known_event)};
    auto code = produce_record(*producer, *topics[r.topic_id], r, ref);
    if (code == RdKafka::ERR_NO_ERROR) {
      auto& b = batches.at(id);
      if (!b.flying) {
        b.flying = true;
        ++flying_batches;
      }
      return true;
    }
    r.known_event = std::move(ref->known_event); // for the next try
    delete ref;
    if (code != RdKafka::ERR__QUEUE_FULL)
      fail(id, RdKafka::err2str(code));
    return code != RdKafka::ERR__QUEUE_FULL;
  }

  void produce(caf::typed_response_promise<std::vector<delivery>> promise,
               std::vector<out_record>& records) {
    if (records.empty()) {
      promise.deliver(std::vector<delivery>{});
      return;
    }
    auto id = next_batch++;
    auto& b = batches[id];
    b.promise = std::move(promise);
    b.deliveries.resize(records.size());
    b.outstanding = records.size();
    b.started_ns = now_ns();
    auto wait = !waiting.empty() || flying_batches >= max_flying_batches;
    if (batches.size() == 1 && records.size() <= delivery_spin::max_records)
      wake_for_reports();
    for (uint32_t i = 0; i < records.size(); ++i) {
      if (wait || !try_produce(id, i, records[i]))
        waiting.push_back(waiting_record{id, i, std::move(records[i])});
      if (batches.count(id) == 0)
        return; // failed: the rest need not go
      wait = wait || !waiting.empty();
    }
  }

  /// Produces what waits, in order, all at once (one wave: librdkafka
  /// sends it in as few requests as it can), until its queue is full.
  void produce_waiting() {
    while (!waiting.empty()) {
      auto& w = waiting.front();
      if (batches.count(w.batch) > 0 && !try_produce(w.batch, w.index, w.record))
        return;
      waiting.pop_front();
    }
  }

  void on_delivered(const std::vector<delivery_report>& reports) {
    // Reports come in runs of one batch and one partition (a batch POST's
    // thousand): each is looked up once per run, not once per record.
    auto i = batches.end();
    int64_t* end = nullptr;
    std::pair<uint8_t, int32_t> end_of{0, -1};
    for (auto& r : reports) {
      if (i == batches.end() || i->first != r.batch)
        i = batches.find(r.batch);
      if (i == batches.end())
        continue; // failed before
      if (!r.error.empty()) {
        log(log_level::warn, "kafka_bridge", "delivery failed: ", r.error);
        fail(r.batch, r.error);
        i = batches.end();
        continue;
      }
      auto& b = i->second;
      b.deliveries[r.index] = r.where;
      if (end == nullptr || end_of != std::pair{r.topic_id, r.where.partition}) {
        end_of = {r.topic_id, r.where.partition};
        end = &written_end[end_of]; // a map: stays where it is
      }
      *end = std::max(*end, r.where.offset + 1);
      if (--b.outstanding == 0) {
        if (min_log_level() == log_level::debug)
          log(log_level::debug, "kafka_bridge", "produced ",
              b.deliveries.size(), " records in ",
              (now_ns() - b.started_ns) / 1000, " us");
        b.promise.deliver(std::move(b.deliveries));
        if (b.flying)
          --flying_batches;
        batches.erase(i);
        i = batches.end();
      }
    }
    if (flying_batches < max_flying_batches)
      produce_waiting();
  }

  kafka_feed* feed_of(const record_sink_actor& sink, std::string& err) {
    for (auto& f : feeds)
      if (f->sink() == sink)
        return f.get();
    auto f = kafka_feed::make(cfg, topic_ids, sink, restores, err);
    if (!f)
      return nullptr;
    std::lock_guard<std::mutex> guard{feeds_mutex};
    feeds.push_back(std::move(f));
    return feeds.back().get();
  }

  void subscribe(const std::vector<assignment>& parts,
                 const record_sink_actor& sink) {
    std::string err;
    if (auto* f = feed_of(sink, err)) {
      f->assign(parts, topic_names);
      return;
    }
    log(log_level::error, "kafka_bridge", err);
    caf::anon_send(sink, error_atom::value, std::move(err));
  }

  void release(const std::vector<assignment>& parts,
               const record_sink_actor& sink) {
    for (auto& f : feeds)
      if (f->sink() == sink)
        f->release(parts);
  }

  void join(const membership_sink_actor& sink) {
    std::lock_guard<std::mutex> guard{group->mutex};
    if (group->current)
      return;
    std::string err;
    restores->hold(true);
    group->current = kafka_membership::make(cfg, sink, restores, err);
    if (!group->current) {
      restores->hold(false);
      log(log_level::error, "kafka_bridge", err);
    }
  }

  /// The end offset of a partition as far as this node knows it, or -1 if
  /// no consumer here reads it. Costs no round trip and never blocks
  /// (librdkafka's query_watermark_offsets can block far past its timeout
  /// when the broker is gone). An actor reading the partition has read what
  /// its consumer fetched (whose last fetch saw at least this end) and what
  /// this node wrote (handed over from delivery reports), so every write
  /// acknowledged through that actor lies before this offset.
  int64_t cached_end(uint8_t topic_id, int32_t partition) {
    int64_t best = -1;
    for (auto& f : feeds)
      best = std::max(best, f->cached_end(topic_names[topic_id], partition));
    if (best < 0)
      return best;
    auto w = written_end.find({topic_id, partition});
    return w == written_end.end() ? best : std::max(best, w->second);
  }
};

} // namespace logbase
