// The write-path benchmark's yardsticks: raw librdkafka clients with
// logbase's producer settings (see bench_write.cpp for the modes).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "bench_write.hpp"

namespace logbase::bench {

namespace {

/// Must match the producer settings in actors/kafka_bridge.cpp (the
/// environment's BENCH_LINGER_MS tries others).
const char* linger_ms() {
  const char* env = std::getenv("BENCH_LINGER_MS");
  return env ? env : "0";
}

std::string key_of(int64_t id) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i, id >>= 8)
    k[i] = static_cast<char>(id & 0xff);
  return k;
}

std::string value_of(int64_t id) {
  // Now, so that the records stay within a server's retention.
  static const std::string now = [] {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%lld.%09lld",
                  static_cast<long long>(ns / 1'000'000'000),
                  static_cast<long long>(ns % 1'000'000'000));
    return std::string{buf};
  }();
  return R"({"happenedAt":)" + now + R"(,"accountId":)" + std::to_string(id)
         + R"(,"type":"login"})";
}

class counter : public RdKafka::DeliveryReportCb {
public:
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR)
      failed++;
    done++;
  }
};

std::unique_ptr<RdKafka::Producer> make_producer(const std::string& bootstrap,
                                                 RdKafka::DeliveryReportCb& dr) {
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  for (auto [k, v] : {std::pair{"bootstrap.servers", bootstrap.c_str()},
                      {"enable.idempotence", "true"},
                      {"acks", "all"},
                      {"partitioner", "murmur2_random"},
                      {"linger.ms", linger_ms()}})
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      std::fprintf(stderr, "%s: %s\n", k, err.c_str());
      std::exit(2);
    }
  conf->set("dr_cb", &dr, err);
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  if (!p) {
    std::fprintf(stderr, "producer: %s\n", err.c_str());
    std::exit(2);
  }
  return p;
}

bool produce(RdKafka::Producer& p, const std::string& topic, int64_t id) {
  auto key = key_of(id);
  auto value = value_of(id);
  for (;;) {
    auto code = p.produce(topic, RdKafka::Topic::PARTITION_UA,
                          RdKafka::Producer::RK_MSG_COPY, value.data(),
                          value.size(), key.data(), key.size(), 0, nullptr);
    if (code == RdKafka::ERR_NO_ERROR)
      return true;
    if (code != RdKafka::ERR__QUEUE_FULL)
      return false;
    p.poll(1);
  }
}

} // namespace

int raw_latency(const std::string& bootstrap, const std::string& topic, int n) {
  counter dr;
  auto p = make_producer(bootstrap, dr);
  std::vector<double> us;
  // The first hundred warm up connections and metadata; not counted.
  for (int i = -100; i < n; ++i) {
    auto before = dr.done.load();
    auto t0 = clock_type::now();
    if (!produce(*p, topic, 1 + i % 1000))
      return 1;
    while (dr.done.load() == before)
      p->poll(100);
    if (i >= 0)
      us.push_back(micros(clock_type::now() - t0));
  }
  print_percentiles("raw_latency", us);
  return dr.failed.load() == 0 ? 0 : 1;
}

int raw_throughput(const std::string& bootstrap, const std::string& topic,
                   int n) {
  counter dr;
  auto p = make_producer(bootstrap, dr);
  produce(*p, topic, 1);
  p->flush(10000);
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    if (!produce(*p, topic, 1 + i % 1000))
      return 1;
    p->poll(0);
  }
  p->flush(60000);
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("raw_throughput n=%d events_per_s=%.0f failed=%lld\n", n,
              n / secs, static_cast<long long>(dr.failed.load()));
  return dr.failed.load() == 0 ? 0 : 1;
}


namespace {

/// The partitions of `topic`, from the broker's metadata (none on failure).
/// A consumer with librdkafka's defaults but `extra` (no commits: the
/// group id only names it); exits when librdkafka refuses.
std::unique_ptr<RdKafka::KafkaConsumer>
make_consumer(const std::string& bootstrap, const std::string& group,
              const std::map<std::string, std::string>& extra) {
  std::unique_ptr<RdKafka::Conf> conf{
    RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  std::map<std::string, std::string> settings{
    {"bootstrap.servers", bootstrap},
    {"group.id", group},
    {"enable.auto.commit", "false"}};
  settings.insert(extra.begin(), extra.end());
  for (auto& [k, v] : settings)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      std::fprintf(stderr, "%s: %s\n", k.c_str(), err.c_str());
      std::exit(2);
    }
  std::unique_ptr<RdKafka::KafkaConsumer> c{
    RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c) {
    std::fprintf(stderr, "consumer: %s\n", err.c_str());
    std::exit(2);
  }
  return c;
}

std::vector<int32_t> partitions_of(RdKafka::Handle& h, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t{
    RdKafka::Topic::create(&h, topic, nullptr, err)};
  RdKafka::Metadata* md = nullptr;
  std::vector<int32_t> out;
  if (!t || h.metadata(false, t.get(), &md, 10000) != RdKafka::ERR_NO_ERROR)
    return out;
  for (auto* tm : *md->topics())
    for (auto* pm : *tm->partitions())
      out.push_back(pm->id());
  delete md;
  return out;
}

/// Where a delivered record landed; `state` 1 delivered, 2 failed.
struct landing {
  std::atomic<int> state{0};
  int32_t partition = -1;
  int64_t offset = -1;
};

class waker : public RdKafka::DeliveryReportCb {
public:
  void dr_cb(RdKafka::Message& m) override {
    auto l = static_cast<landing*>(m.msg_opaque());
    l->partition = m.partition();
    l->offset = m.offset();
    l->state.store(m.err() == RdKafka::ERR_NO_ERROR ? 1 : 2);
    l->state.notify_one();
  }
};

/// A consumer of every partition of a topic from its end, publishing how
/// far it has read each partition.
class reader {
public:
  reader(const std::string& bootstrap, const std::string& topic) {
    c_ = make_consumer(bootstrap, "bench-read-back",
                       {{"fetch.wait.max.ms", "500"}});
    std::vector<RdKafka::TopicPartition*> parts;
    for (auto p : partitions_of(*c_, topic))
      if (p < max_partitions)
        parts.push_back(RdKafka::TopicPartition::create(
          topic, p, RdKafka::Topic::OFFSET_END));
    c_->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    thread_ = std::thread{[this] {
      while (!stop_) {
        std::unique_ptr<RdKafka::Message> m{c_->consume(100)};
        if (m->err() == RdKafka::ERR_NO_ERROR && m->partition() < max_partitions) {
          read_[m->partition()].store(m->offset() + 1);
          read_[m->partition()].notify_all();
        }
      }
    }};
  }

  ~reader() {
    stop_ = true;
    thread_.join();
    c_->close();
  }

  /// Waits until the record at `offset` of `partition` has been read.
  void wait_for(int32_t partition, int64_t offset) {
    auto& r = read_[partition];
    for (auto at = r.load(); at <= offset; at = r.load())
      r.wait(at);
  }

private:
  static constexpr int32_t max_partitions = 64;
  std::unique_ptr<RdKafka::KafkaConsumer> c_;
  std::atomic<int64_t> read_[max_partitions] = {};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace

int raw_clients(const std::string& bootstrap, const std::string& topic, int n,
                int clients, bool read_back) {
  std::unique_ptr<reader> back;
  if (read_back) {
    back = std::make_unique<reader>(bootstrap, topic);
    std::this_thread::sleep_for(std::chrono::seconds(2)); // assigned, at the end
  }
  waker w;
  auto p = make_producer(bootstrap, w);
  std::atomic<bool> stop{false};
  std::thread poller{[&] {
    while (!stop)
      p->poll(100);
  }};
  std::atomic<int> failures{0};
  int per_client = n / clients;
  std::vector<std::thread> threads;
  auto t0 = clock_type::now();
  for (int k = 0; k < clients; ++k)
    threads.emplace_back([&, k] {
      for (int i = 0; i < per_client; ++i) {
        landing l;
        auto key = key_of(1 + k);
        auto value = value_of(1 + k);
        if (p->produce(topic, RdKafka::Topic::PARTITION_UA,
                       RdKafka::Producer::RK_MSG_COPY, value.data(),
                       value.size(), key.data(), key.size(), 0, &l)
            != RdKafka::ERR_NO_ERROR) {
          failures++;
          continue;
        }
        l.state.wait(0);
        if (l.state.load() != 1)
          failures++;
        else if (back)
          back->wait_for(l.partition, l.offset);
      }
    });
  for (auto& t : threads)
    t.join();
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  stop = true;
  poller.join();
  std::printf("raw_clients records=%d clients=%d read_back=%d records_per_s=%.0f failures=%d\n",
              per_client * clients, clients, read_back ? 1 : 0,
              per_client * clients / secs, failures.load());
  return failures.load() == 0 ? 0 : 1;
}

/// Reads every partition of `topic` from the start to its end, as a plain
/// consumer (no group) does: the yardstick of a server's restore.
int raw_consume(const std::string& bootstrap, const std::string& topic) {
  auto t0 = clock_type::now();
  auto c = make_consumer(bootstrap, "bench-raw-consume",
                         {{"enable.partition.eof", "true"}});
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto p : partitions_of(*c, topic))
    parts.push_back(RdKafka::TopicPartition::create(
      topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  if (parts.empty()) {
    std::fprintf(stderr, "no partitions of %s\n", topic.c_str());
    return 2;
  }
  c->assign(parts);
  size_t ended = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  while (ended < parts.size()) {
    std::unique_ptr<RdKafka::Message> m{c->consume(1000)};
    if (m->err() == RdKafka::ERR__PARTITION_EOF)
      ++ended;
    else if (m->err() == RdKafka::ERR_NO_ERROR) {
      ++records;
      bytes += static_cast<int64_t>(m->len());
    }
  }
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::printf("raw_consume records=%lld seconds=%.2f records_per_s=%.0f\n",
              static_cast<long long>(records), secs, records / secs);
  RdKafka::TopicPartition::destroy(parts);
  c->close();
  return 0;
}


} // namespace logbase::bench
