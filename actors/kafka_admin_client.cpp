#include "kafka_admin_client.hpp"

#include <stdexcept>

namespace logbase {

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
  for (auto& [k, v] : cfg.kafka)
    set(k, v);
  for (auto& [k, v] : extra)
    set(k, v);
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
  auto rc = rd_kafka_metadata(rk, 1, nullptr, &md, admin_timeout_ms);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(std::string{"cannot read Kafka metadata from "}
                             + "the bootstrap servers: " + rd_kafka_err2str(rc));
  std::map<std::string, int32_t> out;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      out[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return out;
}

} // namespace logbase
