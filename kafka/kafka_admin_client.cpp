#include "kafka/kafka_admin_client.hpp"

#include <stdexcept>
#include <string>

#include "kafka/kafka_common.hpp"

namespace logbase {

namespace {

/// The broker's refusal of this thread's credentials, as librdkafka's error
/// callback (served by rd_kafka_poll on the calling thread) reported it.
thread_local std::string refused_credentials;

void note_error(rd_kafka_t*, int err, const char* reason, void*) {
  if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
    refused_credentials = reason;
}

/// How long one metadata request waits before the credentials are checked.
constexpr int metadata_step_ms = 500;

} // namespace

handle connect(const config& cfg, rd_kafka_type_t type,
               const std::map<std::string, std::string>& extra) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err))
        != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error("kafka setting " + k + ": " + err);
    }
  };
  set("bootstrap.servers", cfg.bootstrap_servers);
  rd_kafka_conf_set_error_cb(conf, note_error);
  for (auto& [k, v] : cfg.kafka)
    set(k, v);
  for (auto& [k, v] : extra)
    set(k, v);
  coarse_timer_slack slack;
  auto* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string{"cannot create Kafka client: "} + err);
  }
  return handle{rk};
}

event_ptr wait_result(rd_kafka_queue_t* q, const char* what) {
  event_ptr ev{rd_kafka_queue_poll(q, admin_timeout_ms + 2000)};
  if (!ev)
    throw std::runtime_error(std::string{"Kafka did not answer "} + what
                             + " in time: is the broker reachable?");
  if (rd_kafka_event_error(ev.get()))
    throw std::runtime_error(std::string{what} + " failed: "
                             + rd_kafka_event_error_string(ev.get()));
  return ev;
}

std::map<std::string, int32_t> existing_topics(rd_kafka_t* rk) {
  const rd_kafka_metadata_t* md = nullptr;
  refused_credentials.clear();
  // In short steps: a broker that refuses the credentials says so at once,
  // and the operator should hear that, not a timeout 15 s later.
  for (int waited = 0;; waited += metadata_step_ms) {
    auto rc = rd_kafka_metadata(rk, 1, nullptr, &md, metadata_step_ms);
    if (rc == RD_KAFKA_RESP_ERR_NO_ERROR)
      break;
    rd_kafka_poll(rk, 0);
    if (!refused_credentials.empty())
      throw std::runtime_error("Kafka refused the credentials "
                               "(kafka.sasl.*): " + refused_credentials);
    if (waited + metadata_step_ms >= admin_timeout_ms)
      throw std::runtime_error(std::string{"cannot read Kafka metadata from "}
                               + "the bootstrap servers: "
                               + rd_kafka_err2str(rc));
  }
  std::map<std::string, int32_t> out;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      out[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return out;
}

} // namespace logbase
