#include "support.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>

#include <boost/test/unit_test.hpp>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

// The tests' own Kafka clients: records read, produced and topics created
// straight on the broker, beside the server (support.cpp starts servers).

namespace logbase::test {

std::vector<raw_record> read_topic(const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", unique_name("reader"), err);
  conf->set("enable.partition.eof", "true", err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("isolation.level", "read_committed", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer{
    RdKafka::KafkaConsumer::create(conf.get(), err)};
  RdKafka::Metadata* md = nullptr;
  std::unique_ptr<RdKafka::Topic> t{
    RdKafka::Topic::create(consumer.get(), topic, nullptr, err)};
  consumer->metadata(false, t.get(), &md, 10000);
  std::unique_ptr<RdKafka::Metadata> md_owner{md};
  int partitions = static_cast<int>(
    md->topics()->empty() ? 0 : md->topics()->at(0)->partitions()->size());
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < partitions; ++p)
    tps.push_back(RdKafka::TopicPartition::create(
      topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  consumer->assign(tps);
  RdKafka::TopicPartition::destroy(tps);
  std::vector<raw_record> out;
  int ended = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ended < partitions && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m{consumer->consume(200)};
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      ++ended;
    } else if (m->err() == RdKafka::ERR_NO_ERROR) {
      raw_record r{m->partition(), m->offset(), m->key() ? *m->key() : "",
                   std::nullopt, m->timestamp().timestamp};
      if (m->payload())
        r.value = std::string(static_cast<const char*>(m->payload()),
                              m->len());
      if (auto* hs = m->headers())
        for (auto& h : hs->get_all())
          r.headers.emplace_back(h.key(), std::string(h.value_string(),
                                                      h.value_size()));
      out.push_back(std::move(r));
    }
  }
  consumer->close();
  return out;
}

namespace {

/// A producer as the Java client would place records (murmur2, acks=all).
std::unique_ptr<RdKafka::Conf> producer_conf() {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("partitioner", "murmur2_random", err);
  conf->set("acks", "all", err);
  return conf;
}

} // namespace

int32_t produce(
  const std::string& topic, const std::string& key,
  const std::optional<std::string>& value, int64_t timestamp_ms,
  const std::vector<std::pair<std::string, std::string>>& headers,
  int32_t partition) {
  std::string err;
  auto conf = producer_conf();
  struct reporter : RdKafka::DeliveryReportCb {
    int32_t partition = -1;
    void dr_cb(RdKafka::Message& m) override {
      if (m.err() == RdKafka::ERR_NO_ERROR)
        partition = m.partition();
    }
  } dr;
  conf->set("dr_cb", &dr, err);
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  auto* hs = RdKafka::Headers::create();
  for (auto& [name, v] : headers)
    hs->add(name, v);
  if (p->produce(topic, partition < 0 ? RdKafka::Topic::PARTITION_UA : partition,
                 RdKafka::Producer::RK_MSG_COPY,
                 value ? const_cast<char*>(value->data()) : nullptr,
                 value ? value->size() : 0, key.data(), key.size(),
                 timestamp_ms, hs, nullptr)
      != RdKafka::ERR_NO_ERROR)
    delete hs; // taken by librdkafka only when the produce succeeds
  p->flush(10000);
  if (dr.partition < 0)
    throw std::runtime_error("could not produce to " + topic);
  return dr.partition;
}

void produce_many(const std::string& topic,
                  const std::vector<std::pair<std::string, std::string>>& kvs) {
  std::string err;
  auto conf = producer_conf();
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  for (auto& [k, v] : kvs) {
    while (p->produce(topic, RdKafka::Topic::PARTITION_UA,
                      RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(v.data()),
                      v.size(), k.data(), k.size(), 0, nullptr)
           == RdKafka::ERR__QUEUE_FULL)
      p->poll(10);
  }
  if (p->flush(30000) != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("could not produce to " + topic);
}

void create_topic(const std::string& topic, int partitions,
                  const std::map<std::string, std::string>& configs) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap().c_str(), err,
                    sizeof(err));
  auto* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  auto* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err,
                                   sizeof(err));
  for (auto& [k, v] : configs)
    rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  auto* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  auto* ev = rd_kafka_queue_poll(q, 15000);
  bool ok = ev != nullptr && !rd_kafka_event_error(ev);
  if (ev)
    rd_kafka_event_destroy(ev);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  if (!ok)
    throw std::runtime_error("could not create topic " + topic);
}

topic_description describe_topic(const std::string& topic) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap().c_str(), err,
                    sizeof(err));
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> rk{
    rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)), rd_kafka_destroy};
  if (!rk)
    throw std::runtime_error(std::string{"no Kafka client: "} + err);
  topic_description out;

  // Partitions: the broker's metadata for this one topic.
  auto* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  auto md_err = rd_kafka_metadata(rk.get(), 0, rkt, &md, 10000);
  rd_kafka_topic_destroy(rkt);
  if (md_err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("no metadata for " + topic + ": "
                             + rd_kafka_err2str(md_err));
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
    out.partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);

  // Configs, with where each value comes from.
  auto* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC,
                                          topic.c_str());
  auto* q = rd_kafka_queue_new(rk.get());
  rd_kafka_DescribeConfigs(rk.get(), &res, 1, nullptr, q);
  rd_kafka_ConfigResource_destroy(res);
  auto* ev = rd_kafka_queue_poll(q, 15000);
  rd_kafka_queue_destroy(q);
  std::string failed = ev == nullptr ? "no answer"
                       : rd_kafka_event_error(ev)
                         ? rd_kafka_event_error_string(ev)
                         : "";
  if (failed.empty()) {
    size_t n = 0;
    auto** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev), &n);
    for (size_t i = 0; i < n && failed.empty(); ++i) {
      if (rd_kafka_ConfigResource_error(resources[i])) {
        failed = rd_kafka_ConfigResource_error_string(resources[i]);
        break;
      }
      size_t m = 0;
      auto** entries = rd_kafka_ConfigResource_configs(resources[i], &m);
      for (size_t j = 0; j < m; ++j) {
        std::string name = rd_kafka_ConfigEntry_name(entries[j]);
        auto* value = rd_kafka_ConfigEntry_value(entries[j]);
        out.configs[name] = value ? value : "";
        if (rd_kafka_ConfigEntry_source(entries[j])
            == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
          out.set_on_topic.insert(name);
      }
    }
  }
  if (ev)
    rd_kafka_event_destroy(ev);
  if (!failed.empty())
    throw std::runtime_error("cannot describe " + topic + ": " + failed);
  return out;
}

bool wait_until_empty(const std::string& topic, std::chrono::seconds timeout) {
  return wait_until([&] { return read_topic(topic).empty(); }, timeout,
                    std::chrono::milliseconds(500));
}

} // namespace logbase::test
