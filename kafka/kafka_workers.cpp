#include "kafka/kafka_workers.hpp"

#include <algorithm>
#include <charconv>

#include <caf/all.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "messages/caf_errors.hpp"
#include "src/daily_stats.hpp"
#include "kafka/kafka_common.hpp"
#include "src/metrics.hpp"

namespace logbase {

struct transactor_state {
  static inline const char* name = "kafka_transactor";
  config cfg;
  logbase::topic_names names;
  std::unique_ptr<RdKafka::Producer> producer;
  bool initialized = false;
  std::shared_ptr<membership_slot> group;

  /// The `events` offsets the checkpoints among `records` stand at.
  std::vector<RdKafka::TopicPartition*>
  checkpoint_offsets(const std::vector<out_record>& records) const {
    std::vector<RdKafka::TopicPartition*> out;
    for (auto& r : records) {
      if (r.key != daily_stats::checkpoint_key)
        continue;
      auto colon = r.value.find(':');
      int64_t offset = -1;
      if (colon != std::string::npos)
        std::from_chars(r.value.data() + colon + 1,
                        r.value.data() + r.value.size(), offset);
      if (offset >= 0)
        out.push_back(RdKafka::TopicPartition::create(
          names[id_of(topic::events)], r.partition, offset));
    }
    return out;
  }

  /// Ties the open transaction to this node's group membership.
  std::unique_ptr<RdKafka::Error>
  fence(const std::vector<out_record>& records, int timeout) {
    auto offsets = checkpoint_offsets(records);
    if (offsets.empty())
      return nullptr;
    std::unique_ptr<RdKafka::Error> e;
    if (auto meta = group ? group->metadata() : nullptr)
      e.reset(producer->send_offsets_to_transaction(offsets, meta.get(),
                                                    timeout));
    RdKafka::TopicPartition::destroy(offsets);
    return e;
  }

  void reset() {
    producer.reset();
    initialized = false;
  }

  caf::error ensure_producer() {
    if (initialized)
      return caf::none;
    std::string err;
    auto conf = make_conf(
      cfg, {{"transactional.id", cfg.app_id + "-stats-" + cfg.name_of_node()},
            {"enable.idempotence", "true"},
            {"acks", "all"},
            {"linger.ms", "1"},
            // A transaction left open (its producer gone, or fenced and
            // not aborted) holds every read_committed reader of its
            // partitions, restores included, until the broker aborts it
            // after this long.
            {"transaction.timeout.ms", std::to_string(std::max<int64_t>(
                                         10'000, cfg.write_timeout_ms))}},
      err);
    if (!conf)
      return make_error(error_code::internal_error, err);
    {
      coarse_timer_slack slack;
      producer.reset(RdKafka::Producer::create(conf.get(), err));
    }
    if (!producer)
      return make_error(error_code::internal_error, err);
    std::unique_ptr<RdKafka::Error> e{
      producer->init_transactions(static_cast<int>(cfg.write_timeout_ms))};
    if (e) {
      auto msg = e->str();
      reset();
      return make_error(error_code::broker_unavailable, msg);
    }
    initialized = true;
    return caf::none;
  }

  caf::error commit(const std::vector<out_record>& records) {
    if (auto err = ensure_producer())
      return err;
    auto timeout = static_cast<int>(cfg.write_timeout_ms);
    std::unique_ptr<RdKafka::Error> e{producer->begin_transaction()};
    if (!e) {
      for (auto& r : records) {
        auto code = produce_record(*producer, names[r.topic_id], r, nullptr);
        if (code == RdKafka::ERR__QUEUE_FULL) {
          // This thread is the transactor's own: waiting here blocks no one.
          producer->poll(1000);
          code = produce_record(*producer, names[r.topic_id], r, nullptr);
        }
        if (code != RdKafka::ERR_NO_ERROR) {
          global_metrics().stats_aborts.Increment();
          std::unique_ptr<RdKafka::Error> a{producer->abort_transaction(timeout)};
          if (a)
            reset();
          return make_error(error_code::broker_unavailable,
                            RdKafka::err2str(code));
        }
      }
      e = fence(records, timeout);
      if (!e)
        e.reset(producer->commit_transaction(timeout));
      if (!e)
        return caf::none;
    }
    auto msg = e->str();
    std::unique_ptr<RdKafka::Error> a;
    if (e->txn_requires_abort()) {
      global_metrics().stats_aborts.Increment();
      a.reset(producer->abort_transaction(timeout));
    }
    if (!e->txn_requires_abort() || a) {
      // Fatal, not aborted, or a state we cannot reason about: start over
      // now, not at the next commit (which may never come once the
      // partitions moved away): init_transactions aborts what the old
      // producer left open, which would otherwise hold the partitions'
      // readers until the transaction timeout.
      reset();
      (void) ensure_producer();
    }
    return make_error(error_code::broker_unavailable, msg);
  }
};

transactor_actor::behavior_type
kafka_transactor(transactor_actor::stateful_pointer<transactor_state> self,
                 config cfg, topic_names names,
                 std::shared_ptr<membership_slot> group) {
  self->state.cfg = std::move(cfg);
  self->state.names = std::move(names);
  self->state.group = std::move(group);
  return {
    [=](commit_atom, const std::vector<out_record>& records)
      -> caf::result<ok_atom> {
      if (auto err = self->state.commit(records))
        return err;
      return ok_atom::value;
    },
  };
}

namespace {

using query_handle = std::shared_ptr<RdKafka::Producer>;

/// End offsets of some partitions of one topic, in one ListOffsets round
/// under one deadline (all partitions at once, not one after another).
caf::expected<std::vector<int64_t>>
query_ends(RdKafka::Producer& handle, const std::string& topic,
           const std::vector<int32_t>& partitions, int timeout_ms) {
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto p : partitions)
    // The "time" -1 asks for the latest offset: the end.
    tps.push_back(RdKafka::TopicPartition::create(topic, p,
                                                  RdKafka::Topic::OFFSET_END));
  auto code = handle.offsetsForTimes(tps, timeout_ms);
  std::vector<int64_t> ends;
  for (auto* tp : tps) {
    if (code == RdKafka::ERR_NO_ERROR && tp->err() != RdKafka::ERR_NO_ERROR)
      code = tp->err();
    ends.push_back(tp->offset());
  }
  RdKafka::TopicPartition::destroy(tps);
  if (code != RdKafka::ERR_NO_ERROR)
    return make_error(error_code::broker_unavailable,
                      "cannot read the end of " + topic + " from Kafka: "
                        + RdKafka::err2str(code));
  return ends;
}

/// One query on a thread of its own; answers and ends.
caf::behavior one_query(caf::event_based_actor* self, query_handle handle,
                        std::string topic, std::vector<int32_t> partitions,
                        int timeout_ms) {
  return {
    [=](watermark_atom, uint8_t, int32_t) -> caf::result<int64_t> {
      auto ends = query_ends(*handle, topic, partitions, timeout_ms);
      self->quit();
      if (!ends)
        return ends.error();
      return ends->front();
    },
    [=](ends_atom, uint8_t, int32_t) -> caf::result<std::vector<int64_t>> {
      auto ends = query_ends(*handle, topic, partitions, timeout_ms);
      self->quit();
      if (!ends)
        return ends.error();
      return std::move(*ends);
    },
  };
}

} // namespace

struct querier_state {
  static inline const char* name = "kafka_querier";
  config cfg;
  logbase::topic_names names;
  /// Shared by the queries (librdkafka handles are thread-safe).
  query_handle handle;

  caf::expected<caf::actor> worker(caf::local_actor* self, uint8_t topic_id,
                                   std::vector<int32_t> partitions) {
    if (!handle) {
      std::string err;
      auto conf = make_conf(cfg, {}, err);
      coarse_timer_slack slack;
      if (conf)
        handle.reset(RdKafka::Producer::create(conf.get(), err));
      if (!handle)
        return make_error(error_code::internal_error, err);
    }
    // A quarter of the write timeout: the write that needs it must fit.
    return self->spawn<caf::detached>(one_query, handle, names[topic_id],
                                      std::move(partitions),
                                      static_cast<int>(cfg.write_timeout_ms
                                                       / 4));
  }
};

querier_actor::behavior_type
kafka_querier(querier_actor::stateful_pointer<querier_state> self, config cfg,
              topic_names names) {
  self->state.cfg = std::move(cfg);
  self->state.names = std::move(names);
  return {
    [=](watermark_atom, uint8_t topic_id,
        int32_t partition) -> caf::result<int64_t> {
      auto w = self->state.worker(self, topic_id, {partition});
      if (!w)
        return w.error();
      return self->delegate(caf::actor_cast<querier_actor>(*w),
                            watermark_atom::value, topic_id, partition);
    },
    [=](ends_atom, uint8_t topic_id,
        int32_t partitions) -> caf::result<std::vector<int64_t>> {
      std::vector<int32_t> ps;
      for (int32_t p = 0; p < partitions; ++p)
        ps.push_back(p);
      auto w = self->state.worker(self, topic_id, std::move(ps));
      if (!w)
        return w.error();
      return self->delegate(caf::actor_cast<querier_actor>(*w),
                            ends_atom::value, topic_id, partitions);
    },
  };
}

transactor_actor spawn_transactor(caf::local_actor* parent, config cfg,
                                  topic_names names,
                                  std::shared_ptr<membership_slot> group) {
  return parent->spawn<caf::detached + caf::linked>(
    kafka_transactor, std::move(cfg), std::move(names), std::move(group));
}

querier_actor spawn_querier(caf::local_actor* parent, config cfg,
                            topic_names names) {
  return parent->spawn<caf::linked>(kafka_querier, std::move(cfg),
                                    std::move(names));
}

} // namespace logbase
