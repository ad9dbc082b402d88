#include "kafka_workers.hpp"

#include <caf/all.hpp>

#include "caf_errors.hpp"
#include "kafka_common.hpp"

namespace logbase {

struct transactor_state {
  static inline const char* name = "kafka_transactor";
  config cfg;
  logbase::topic_names names;
  std::unique_ptr<RdKafka::Producer> producer;
  bool initialized = false;

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
            {"transaction.timeout.ms", "60000"}});
    producer.reset(RdKafka::Producer::create(conf.get(), err));
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
        auto code = produce_record(*producer, names[r.topic_id], r, nullptr,
                                   1000);
        if (code != RdKafka::ERR_NO_ERROR) {
          std::unique_ptr<RdKafka::Error> a{producer->abort_transaction(timeout)};
          if (a)
            reset();
          return make_error(error_code::broker_unavailable,
                            RdKafka::err2str(code));
        }
      }
      e.reset(producer->commit_transaction(timeout));
      if (!e)
        return caf::none;
    }
    auto msg = e->str();
    if (e->txn_requires_abort()) {
      std::unique_ptr<RdKafka::Error> a{producer->abort_transaction(timeout)};
      if (a)
        reset();
    } else {
      // Fatal, or a state we cannot reason about: start over (fences the
      // old producer's transaction through init_transactions).
      reset();
    }
    return make_error(error_code::broker_unavailable, msg);
  }
};

transactor_actor::behavior_type
kafka_transactor(transactor_actor::stateful_pointer<transactor_state> self,
                 config cfg, topic_names names) {
  self->state.cfg = std::move(cfg);
  self->state.names = std::move(names);
  return {
    [=](commit_atom, const std::vector<out_record>& records)
      -> caf::result<ok_atom> {
      if (auto err = self->state.commit(records))
        return err;
      return ok_atom::value;
    },
  };
}


struct querier_state {
  static inline const char* name = "kafka_querier";
  config cfg;
  logbase::topic_names names;
  std::unique_ptr<RdKafka::Producer> handle;

  caf::result<int64_t> watermark(uint8_t topic_id, int32_t partition) {
    if (!handle) {
      std::string err;
      auto conf = make_conf(cfg, {});
      handle.reset(RdKafka::Producer::create(conf.get(), err));
      if (!handle)
        return make_error(error_code::internal_error, err);
    }
    int64_t low = 0;
    int64_t high = 0;
    // A quarter of the write timeout: the write that needs it must fit.
    auto code = handle->query_watermark_offsets(
      names[topic_id], partition, &low, &high,
      static_cast<int>(cfg.write_timeout_ms / 4));
    if (code != RdKafka::ERR_NO_ERROR)
      return make_error(error_code::broker_unavailable,
                        "cannot read the end of " + names[topic_id]
                          + " from Kafka: " + RdKafka::err2str(code));
    return high;
  }
};

querier_actor::behavior_type
kafka_querier(querier_actor::stateful_pointer<querier_state> self, config cfg,
              topic_names names) {
  self->state.cfg = std::move(cfg);
  self->state.names = std::move(names);
  return {
    [=](watermark_atom, uint8_t topic_id, int32_t partition) {
      return self->state.watermark(topic_id, partition);
    },
    [=](ends_atom, uint8_t topic_id,
        int32_t partitions) -> caf::result<std::vector<int64_t>> {
      std::vector<int64_t> ends;
      for (int32_t p = 0; p < partitions; ++p) {
        auto end = self->state.watermark(topic_id, p);
        if (end.flag != caf::rt_value)
          return end.err;
        ends.push_back(end.value.get_as<int64_t>(0));
      }
      return ends;
    },
  };
}
transactor_actor spawn_transactor(caf::local_actor* parent, config cfg,
                                  topic_names names) {
  return parent->spawn<caf::detached + caf::linked>(
    kafka_transactor, std::move(cfg), std::move(names));
}

querier_actor spawn_querier(caf::local_actor* parent, config cfg,
                            topic_names names) {
  return parent->spawn<caf::detached + caf::linked>(
    kafka_querier, std::move(cfg), std::move(names));
}

} // namespace logbase
