#include "kafka_common.hpp"

namespace logbase {

namespace {

/// Every client reconnects within a second of the broker coming back
/// (librdkafka's default backs off up to 10 s, so writes stayed 503 for
/// seconds after an outage).
const std::map<std::string, std::string> client_defaults{
  {"reconnect.backoff.ms", "50"},
  {"reconnect.backoff.max.ms", "500"},
  // Fresh partitions of a new topic get their leader fast.
  {"topic.metadata.refresh.fast.interval.ms", "50"},
};

} // namespace

std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra,
          std::string& err) {
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  auto set = [&](const std::string& k, const std::string& v) {
    std::string why;
    if (conf->set(k, v, why) == RdKafka::Conf::CONF_OK)
      return true;
    err = "kafka setting " + k + ": " + why;
    return false;
  };
  if (!set("bootstrap.servers", cfg.bootstrap_servers))
    return nullptr;
  for (auto& [k, v] : client_defaults)
    if (!set(k, v))
      return nullptr;
  for (auto& [k, v] : extra)
    if (!set(k, v))
      return nullptr;
  // The user's kafka.* settings win: SASL, TLS, tuning.
  for (auto& [k, v] : cfg.kafka)
    if (!set(k, v))
      return nullptr;
  return conf;
}

RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque) {
  return producer.produce(
    topic, r.partition, RdKafka::Producer::RK_MSG_COPY,
    r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
    r.tombstone ? 0 : r.value.size(), r.key.data(), r.key.size(),
    r.timestamp_ms, opaque);
}

} // namespace logbase
