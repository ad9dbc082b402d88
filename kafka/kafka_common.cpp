#include "kafka/kafka_common.hpp"

#include <sys/prctl.h>

#include <array>

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

namespace {

/// Produces `r` to the topic that `topic` names (a name or a handle).
RdKafka::ErrorCode produce_to(rd_kafka_t* rk, rd_kafka_vu_t topic,
                              const out_record& r, void* opaque) {
  rd_kafka_headers_t* headers = nullptr;
  if (!r.headers.empty()) {
    headers = rd_kafka_headers_new(r.headers.size());
    for (auto& h : r.headers)
      rd_kafka_header_add(headers, h.name.data(),
                          static_cast<ssize_t>(h.name.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
  }
  // Not zeroed (a hot path, 72 bytes each): librdkafka reads the member
  // each entry's vtype names, and only the first n entries.
  std::array<rd_kafka_vu_t, 8> vu;
  size_t n = 0;
  vu[n++] = topic;
  vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[n++].u.i32 = r.partition;
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = r.tombstone ? nullptr : const_cast<char*>(r.value.data());
  vu[n++].u.mem.size = r.tombstone ? 0 : r.value.size();
  vu[n].vtype = RD_KAFKA_VTYPE_KEY;
  vu[n].u.mem.ptr = const_cast<char*>(r.key.data());
  vu[n++].u.mem.size = r.key.size();
  vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vu[n++].u.i64 = r.timestamp_ms;
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = opaque;
  if (headers != nullptr) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = headers;
  }
  rd_kafka_error_t* error = rd_kafka_produceva(rk, vu.data(), n);
  if (error == nullptr)
    return RdKafka::ERR_NO_ERROR;
  auto code = static_cast<RdKafka::ErrorCode>(rd_kafka_error_code(error));
  rd_kafka_error_destroy(error);
  // librdkafka takes the headers only when the produce succeeds.
  if (headers != nullptr)
    rd_kafka_headers_destroy(headers);
  return code;
}

} // namespace

RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque) {
  rd_kafka_vu_t by_name{};
  by_name.vtype = RD_KAFKA_VTYPE_TOPIC;
  by_name.u.cstr = topic.c_str();
  return produce_to(producer.c_ptr(), by_name, r, opaque);
}

RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  RdKafka::Topic& topic, const out_record& r,
                                  void* opaque) {
  rd_kafka_vu_t by_handle{};
  by_handle.vtype = RD_KAFKA_VTYPE_RKT;
  by_handle.u.rkt = topic.c_ptr();
  return produce_to(producer.c_ptr(), by_handle, r, opaque);
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
