#include "kafka_bridge.hpp"

#include <map>
#include <memory>

#include <caf/all.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "caf_errors.hpp"
#include "kafka_common.hpp"
#include "kafka_workers.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "window.hpp"

namespace logbase {

namespace {

constexpr int max_records_per_poll = 2000;

/// One produce request: answered when every record is acknowledged.
struct pending_batch {
  caf::typed_response_promise<std::vector<delivery>> promise;
  std::vector<delivery> deliveries;
  size_t outstanding = 0;
  bool answered = false;

  void fail(const std::string& why) {
    if (answered)
      return;
    answered = true;
    promise.deliver(make_error(error_code::broker_unavailable,
                               "the write could not be made durable in "
                               "Kafka: " + why));
  }
};

struct pending_record {
  std::shared_ptr<pending_batch> batch;
  size_t index;
};

class delivery_reporter : public RdKafka::DeliveryReportCb {
public:
  /// Set while the bridge terminates: its promises can no longer be
  /// delivered (requesters see their request time out instead).
  bool quiet = false;

  void dr_cb(RdKafka::Message& m) override {
    std::unique_ptr<pending_record> rec{
      static_cast<pending_record*>(m.msg_opaque())};
    if (quiet)
      return;
    auto& batch = *rec->batch;
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      global_metrics().produce_failures++;
      log(log_level::warn, "kafka_bridge", "delivery to ", m.topic_name(),
          " failed: ", m.errstr());
      batch.fail(m.errstr());
      return;
    }
    batch.deliveries[rec->index] = delivery{m.partition(), m.offset()};
    if (--batch.outstanding == 0 && !batch.answered) {
      batch.answered = true;
      batch.promise.deliver(std::move(batch.deliveries));
    }
  }
};

} // namespace

struct kafka_bridge_state {
  static inline const char* name = "kafka_bridge";

  config cfg;
  topic_layout layout;
  std::array<std::string, all_topics.size()> topic_names;
  std::map<std::string, uint8_t> topic_ids;
  /// On the heap: librdkafka keeps its address.
  std::unique_ptr<delivery_reporter> reporter
    = std::make_unique<delivery_reporter>();
  std::unique_ptr<RdKafka::Producer> producer;
  /// One consumer per subscriber: each reads its partitions from its own
  /// positions (the statistics resume from their checkpoint, the event log
  /// from the beginning).
  struct feed {
    record_sink_actor sink;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  };
  std::vector<feed> feeds;
  transactor_actor transactor;
  querier_actor querier;
  bool idle = false;

  /// On the exit message: flush what can still be delivered, drop the rest,
  /// close the consumers. Not in a destructor: queued delivery reports hold
  /// response promises, which hold the actor, so it would never be
  /// destroyed while any were left.
  void shut_down() {
    if (producer) {
      producer->flush(static_cast<int>(cfg.write_timeout_ms / 2));
      reporter->quiet = true;
      producer->purge(RdKafka::Producer::PURGE_QUEUE
                      | RdKafka::Producer::PURGE_INFLIGHT);
      producer->poll(0); // frees the purged records' promises
      producer.reset();
    }
    for (auto& f : feeds)
      f.consumer->close();
    feeds.clear();
  }

  void start(config c, topic_layout l) {
    cfg = std::move(c);
    layout = l;
    for (auto t : all_topics) {
      topic_names[static_cast<size_t>(t)] = cfg.topic_name(t);
      topic_ids[cfg.topic_name(t)] = id_of(t);
    }
    std::string err;
    auto pconf = make_conf(cfg, {{"enable.idempotence", "true"},
                                 {"acks", "all"},
                                 {"partitioner", "murmur2_random"},
                                 {"linger.ms", "2"},
                                 // Delivery reports come up to a second
                                 // late (librdkafka scans once a second).
                                 {"message.timeout.ms",
                                  std::to_string(cfg.write_timeout_ms / 2)}});
    if (pconf->set("dr_cb", reporter.get(), err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error(err);
    producer.reset(RdKafka::Producer::create(pconf.get(), err));
    if (!producer)
      throw std::runtime_error("cannot create producer: " + err);
  }

  /// Takes over handles made by `start` on another thread.
  void start_from(kafka_bridge_state&& other) {
    cfg = std::move(other.cfg);
    layout = other.layout;
    topic_names = std::move(other.topic_names);
    topic_ids = std::move(other.topic_ids);
    reporter = std::move(other.reporter);
    producer = std::move(other.producer);
  }

  feed& feed_of(const record_sink_actor& sink) {
    for (auto& f : feeds)
      if (f.sink == sink)
        return f;
    // Positions live in the subscribers (restored from topics), never in
    // the group: nothing is committed, the group id only names the client.
    auto cconf = make_conf(cfg, {{"group.id", cfg.app_id + "-" + cfg.name_of_node()},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"enable.partition.eof", "true"},
                                 {"isolation.level", "read_committed"},
                                 {"auto.offset.reset", "earliest"},
                                 {"fetch.wait.max.ms", "50"}});
    std::string err;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer{
      RdKafka::KafkaConsumer::create(cconf.get(), err)};
    if (!consumer)
      throw std::runtime_error("cannot create consumer: " + err);
    feeds.push_back(feed{sink, std::move(consumer)});
    return feeds.back();
  }

  caf::typed_response_promise<std::vector<delivery>>
  produce(caf::typed_response_promise<std::vector<delivery>> promise,
          const std::vector<out_record>& records) {
    auto batch = std::make_shared<pending_batch>();
    batch->promise = promise;
    batch->deliveries.resize(records.size());
    batch->outstanding = records.size();
    if (records.empty()) {
      batch->answered = true;
      promise.deliver(std::vector<delivery>{});
      return promise;
    }
    for (size_t i = 0; i < records.size(); ++i) {
      auto& r = records[i];
      auto* opaque = new pending_record{batch, i};
      // Full queue: serve delivery reports to make room, once.
      auto code = produce_record(*producer, topic_names[r.topic_id], r, opaque,
                                 50);
      if (code != RdKafka::ERR_NO_ERROR) {
        delete opaque;
        global_metrics().produce_failures++;
        batch->fail(RdKafka::err2str(code));
        break; // records queued before this one still report; they are ignored
      }
    }
    return promise;
  }

  void subscribe(const std::vector<assignment>& parts, record_sink_actor sink) {
    auto& f = feed_of(sink);
    std::vector<RdKafka::TopicPartition*> tps;
    for (auto& a : parts) {
      tps.push_back(RdKafka::TopicPartition::create(
        topic_names[a.topic_id], a.partition,
        a.start_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING : a.start_offset));
    }
    std::unique_ptr<RdKafka::Error> e{f.consumer->incremental_assign(tps)};
    RdKafka::TopicPartition::destroy(tps);
    if (e)
      log(log_level::error, "kafka_bridge", "cannot assign partitions: ",
          e->str());
  }

  /// The end offset of a partition as the last fetch from it reported, or
  /// -1 if no consumer here reads it. Costs no round trip and never blocks
  /// (librdkafka's query_watermark_offsets can block far past its timeout
  /// when the broker is gone). A consumer reading the partition has fetched
  /// at least up to what its actor has read, so every write acknowledged
  /// through that actor lies before this offset.
  int64_t cached_end(uint8_t topic_id, int32_t partition) {
    int64_t best = -1;
    for (auto& f : feeds) {
      int64_t low = 0;
      int64_t high = -1;
      if (f.consumer->get_watermark_offsets(topic_names[topic_id], partition,
                                            &low, &high)
            == RdKafka::ERR_NO_ERROR
          && high >= 0)
        best = std::max(best, high);
    }
    return best;
  }

  /// Serves delivery reports and hands consumed records to their sinks.
  template <class Self>
  void poll(Self* self) {
    producer->poll(0);
    bool found = false;
    for (auto& f : feeds) {
      record_batch batch;
      drain(*f.consumer, batch);
      if (batch.records.empty() && batch.reached_end.empty())
        continue;
      found = true;
      self->send(f.sink, records_atom::value, std::move(batch));
    }
    idle = !found;
    self->send(self, poll_atom::value);
  }

  void drain(RdKafka::KafkaConsumer& consumer, record_batch& batch) {
    for (int i = 0; i < max_records_per_poll; ++i) {
      // Block briefly only when the last round found nothing: then the
      // mailbox is looked at every few milliseconds.
      std::unique_ptr<RdKafka::Message> m{
        consumer.consume(i == 0 && idle ? 1 : 0)};
      if (m->err() == RdKafka::ERR__TIMED_OUT)
        break;
      auto t = topic_ids.find(m->topic_name());
      if (m->err() == RdKafka::ERR__PARTITION_EOF) {
        if (t != topic_ids.end())
          batch.reached_end.push_back(
            assignment{t->second, m->partition(), m->offset()});
        continue;
      }
      if (m->err() != RdKafka::ERR_NO_ERROR) {
        log(log_level::warn, "kafka_bridge", "consumer: ", m->errstr());
        continue;
      }
      if (t == topic_ids.end())
        continue;
      in_record r;
      r.topic_id = t->second;
      r.partition = m->partition();
      r.offset = m->offset();
      r.timestamp_ms = m->timestamp().timestamp;
      if (m->key())
        r.key = *m->key();
      r.tombstone = m->payload() == nullptr;
      if (!r.tombstone)
        r.value.assign(static_cast<const char*>(m->payload()), m->len());
      if (min_log_level() == log_level::debug)
        log(log_level::debug, "kafka_bridge", "consumed ", m->topic_name(), "/",
            r.partition, "@", r.offset, " lag ",
            now_ns() / 1'000'000 - r.timestamp_ms, " ms");
      batch.records.push_back(std::move(r));
    }
  }
};

kafka_bridge_actor::behavior_type
kafka_bridge(kafka_bridge_actor::stateful_pointer<kafka_bridge_state> self,
             config cfg) {
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.shut_down();
    self->quit(msg.reason);
  });
  self->state.transactor = spawn_transactor(self, cfg,
                                            self->state.topic_names);
  self->state.querier = spawn_querier(self, cfg, self->state.topic_names);
  self->send(self, poll_atom::value);
  return {
    [=](produce_atom, const std::vector<out_record>& records) {
      return self->state.produce(
        self->template make_response_promise<std::vector<delivery>>(),
        records);
    },
    [=](commit_atom, std::vector<out_record>& records) {
      return self->delegate(self->state.transactor, commit_atom::value,
                            std::move(records));
    },
    [=](subscribe_atom, const std::vector<assignment>& parts,
        record_sink_actor sink) { self->state.subscribe(parts, sink); },
    [=](watermark_atom, uint8_t topic_id,
        int32_t partition) -> caf::result<int64_t> {
      if (auto end = self->state.cached_end(topic_id, partition); end >= 0)
        return end;
      return self->delegate(self->state.querier, watermark_atom::value,
                            topic_id, partition);
    },
    [=](ends_atom, uint8_t topic_id) {
      return self->delegate(self->state.querier, ends_atom::value, topic_id,
                            self->state.layout.of(static_cast<topic>(topic_id)));
    },
    [=](poll_atom) { self->state.poll(self); },
  };
}

} // namespace logbase

namespace logbase {

kafka_bridge_actor spawn_kafka_bridge(caf::actor_system& sys, config cfg,
                                      topic_layout layout) {
  // Handles are made here, so that bad settings fail the caller, not the
  // actor; the bridge then owns them.
  auto st = std::make_shared<kafka_bridge_state>();
  st->start(cfg, layout);
  return sys.spawn<caf::detached>(
    [st](kafka_bridge_actor::stateful_pointer<kafka_bridge_state> self,
         config c) {
      self->state.start_from(std::move(*st));
      return kafka_bridge(self, std::move(c));
    },
    cfg);
}

} // namespace logbase
