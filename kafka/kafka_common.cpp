#include "kafka/kafka_common.hpp"

#include <sys/prctl.h>

#include <librdkafka/rdkafka.h>

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

coarse_timer_slack::coarse_timer_slack()
  : before_(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) {
  // A millisecond: the most a wait rounded down to whole ms ends early.
  prctl(PR_SET_TIMERSLACK, 1'000'000L, 0, 0, 0);
}

coarse_timer_slack::~coarse_timer_slack() {
  if (before_ > 0)
    prctl(PR_SET_TIMERSLACK, before_, 0, 0, 0);
}

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
  auto* payload = r.tombstone ? nullptr : const_cast<char*>(r.value.data());
  auto len = r.tombstone ? 0 : r.value.size();
  if (r.headers.empty())
    return producer.produce(topic, r.partition,
                            RdKafka::Producer::RK_MSG_COPY, payload, len,
                            r.key.data(), r.key.size(), r.timestamp_ms,
                            opaque);
  auto* headers = RdKafka::Headers::create();
  for (auto& h : r.headers)
    headers->add(h.name, h.value.data(), h.value.size());
  auto code = producer.produce(topic, r.partition,
                               RdKafka::Producer::RK_MSG_COPY, payload, len,
                               r.key.data(), r.key.size(), r.timestamp_ms,
                               headers, opaque);
  // librdkafka takes the headers only when the produce succeeds.
  if (code != RdKafka::ERR_NO_ERROR)
    delete headers;
  return code;
}

std::vector<record_header> read_headers(RdKafka::Message& m) {
  return read_headers(m.c_ptr());
}

std::vector<record_header> read_headers(const rd_kafka_message_t* m) {
  std::vector<record_header> out;
  // The C API: no allocation for the common record without headers.
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers)
      != RD_KAFKA_RESP_ERR_NO_ERROR)
    return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size)
                     == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i)
    out.push_back(record_header{
      name, value ? std::string(static_cast<const char*>(value), size)
                  : std::string{}});
  return out;
}

} // namespace logbase
