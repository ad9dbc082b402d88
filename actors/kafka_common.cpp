#include "kafka_common.hpp"

#include <stdexcept>

namespace logbase {

std::unique_ptr<RdKafka::Conf> make_conf(const config& cfg,
                                          const std::map<std::string, std::string>& extra) {
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  auto set = [&](const std::string& k, const std::string& v) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error("kafka setting " + k + ": " + err);
  };
  set("bootstrap.servers", cfg.bootstrap_servers);
  for (auto& [k, v] : extra)
    set(k, v);
  // The user's kafka.* settings win: SASL, TLS, tuning.
  for (auto& [k, v] : cfg.kafka)
    set(k, v);
  return conf;
}
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque,
                                  int wait_ms) {
  auto once = [&] {
    return producer.produce(
      topic, r.partition, RdKafka::Producer::RK_MSG_COPY,
      r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
      r.tombstone ? 0 : r.value.size(), r.key.data(), r.key.size(),
      r.timestamp_ms, opaque);
  };
  auto code = once();
  if (code == RdKafka::ERR__QUEUE_FULL) {
    producer.poll(wait_ms);
    code = once();
  }
  return code;
}

} // namespace logbase
