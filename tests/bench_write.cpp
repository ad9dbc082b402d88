// The write-path benchmark's measuring half (tools/bench-write runs it; it
// is no test). Five modes, each printing one line of figures:
//
//   raw-latency BOOTSTRAP TOPIC N       one record at a time, waited for
//   raw-throughput BOOTSTRAP TOPIC N    N records as fast as the producer goes
//   post-latency PORT ACCOUNT N         one event POST at a time
//   post-throughput PORT ACCOUNTS N C B N events in POSTs of B, C clients,
//                                       client k posting to the k-th of the
//                                       comma-separated ACCOUNTS (round robin)
//                                       (B = 1: one event object per POST)
//   spread-accounts PORT K P            creates accounts until K of them lie
//                                       on K different partitions of P; prints
//                                       them comma-separated
//   raw-consume BOOTSTRAP TOPIC         every record of TOPIC, read to its end
//   raw-clients BOOTSTRAP TOPIC N C [read-back]
//                                       C threads sharing one producer (as
//                                       logbase's clients share its one),
//                                       each producing one record at a time
//                                       and waiting for its delivery report
//                                       (and with read-back, until a
//                                       consumer of the topic has read it)
//
// The raw producer uses logbase's producer settings (idempotent, acks=all,
// murmur2, the same linger) and records of the shape logbase writes (an
// 8-byte key, the event JSON value), so the ratios compare like with like.

#include "bench_write.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "src/codec.hpp"

namespace logbase::bench {

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

void print_percentiles(const char* what, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  std::printf("%s n=%zu p50_us=%.0f p99_us=%.0f max_us=%.0f\n", what,
              us.size(), at(0.5), at(0.99), us.back());
}

namespace {

int post_latency(int port, const std::string& account, int n) {
  httplib::Client c{"127.0.0.1", port};
  c.set_tcp_nodelay(true);
  c.set_keep_alive(true);
  std::vector<double> us;
  auto path = "/accounts/" + account + "/events";
  for (int i = -50; i < n; ++i) {
    auto t0 = clock_type::now();
    auto res = c.Post(path, R"({"type":"login"})", "application/json");
    if (!res || res->status != 201) {
      std::fprintf(stderr, "POST failed: %d\n", res ? res->status : -1);
      return 1;
    }
    if (i >= 0)
      us.push_back(micros(clock_type::now() - t0));
  }
  print_percentiles("post_latency", us);
  return 0;
}

/// The `k`-th of the comma-separated `accounts`, round robin.
std::string account_of(const std::string& accounts, int k) {
  std::vector<std::string> list;
  size_t from = 0;
  for (size_t at; (at = accounts.find(',', from)) != std::string::npos; from = at + 1)
    list.push_back(accounts.substr(from, at - from));
  list.push_back(accounts.substr(from));
  return list[static_cast<size_t>(k) % list.size()];
}

int post_throughput(int port, const std::string& account, int n, int clients,
                    int per_post) {
  std::string body = "[";
  for (int i = 0; i < per_post; ++i)
    body += std::string(i ? "," : "") + R"({"type":"login"})";
  body += "]";
  if (per_post == 1)
    body = R"({"type":"login"})";
  int posts = n / per_post / clients;
  if (posts < 1) { // nothing to time: no percentiles to print
    std::fprintf(stderr, "post-throughput: N must be at least C * B\n");
    return 2;
  }
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> lat(clients);
  auto t0 = clock_type::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k)
    threads.emplace_back([&, k] {
      httplib::Client c{"127.0.0.1", port};
      c.set_tcp_nodelay(true);
      c.set_keep_alive(true);
      c.set_read_timeout(60, 0);
      auto path = "/accounts/" + account_of(account, k) + "/events";
      for (int i = 0; i < posts; ++i) {
        auto s = clock_type::now();
        auto res = c.Post(path, body, "application/json");
        if (!res || res->status != 201)
          failures++;
        lat[k].push_back(micros(clock_type::now() - s));
      }
    });
  for (auto& t : threads)
    t.join();
  auto secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  std::vector<double> all;
  for (auto& l : lat)
    all.insert(all.end(), l.begin(), l.end());
  std::printf("post_throughput events=%d events_per_s=%.0f failures=%d\n",
              posts * per_post * clients, posts * per_post * clients / secs,
              failures.load());
  print_percentiles("post_throughput_request", all);
  return failures.load() == 0 ? 0 : 1;
}

int spread_accounts(int port, int k, int partitions) {
  httplib::Client c{"127.0.0.1", port};
  std::map<int32_t, std::string> by_partition;
  for (int tries = 0; tries < 64 * k && static_cast<int>(by_partition.size()) < k;
       ++tries) {
    auto res = c.Post("/accounts", R"({"name":"bench"})", "application/json");
    auto at = res ? res->body.find("\"id\":") : std::string::npos;
    if (!res || res->status != 201 || at == std::string::npos) {
      std::fprintf(stderr, "spread-accounts: POST /accounts failed\n");
      return 1;
    }
    auto id = std::stoll(res->body.substr(at + 5));
    by_partition.emplace(
      logbase::partition_for(logbase::encode_long_key(id), partitions),
      std::to_string(id));
  }
  if (static_cast<int>(by_partition.size()) < k)
    return 1;
  std::string out;
  for (auto& [p, id] : by_partition)
    out += (out.empty() ? "" : ",") + id;
  std::printf("%s\n", out.c_str());
  return 0;
}

} // namespace

} // namespace logbase::bench

using namespace logbase::bench;

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "raw-latency")
    return raw_latency(a[1], a[2], std::stoi(a[3]));
  if (a.size() == 4 && a[0] == "raw-throughput")
    return raw_throughput(a[1], a[2], std::stoi(a[3]));
  if (a.size() == 4 && a[0] == "spread-accounts")
    return spread_accounts(std::stoi(a[1]), std::stoi(a[2]), std::stoi(a[3]));
  if (a.size() == 4 && a[0] == "post-latency")
    return post_latency(std::stoi(a[1]), a[2], std::stoi(a[3]));
  if (a.size() == 6 && a[0] == "post-throughput")
    return post_throughput(std::stoi(a[1]), a[2], std::stoi(a[3]),
                           std::stoi(a[4]), std::stoi(a[5]));
  if ((a.size() == 5 || (a.size() == 6 && a[5] == "read-back"))
      && a[0] == "raw-clients")
    return raw_clients(a[1], a[2], std::stoi(a[3]), std::stoi(a[4]),
                       a.size() == 6);
  if (a.size() == 3 && a[0] == "raw-consume")
    return raw_consume(a[1], a[2]);
  std::fprintf(stderr, "usage: see the top of tests/bench_write.cpp\n");
  return 2;
}
