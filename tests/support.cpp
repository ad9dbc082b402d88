#include "support.hpp"

#include <algorithm>

#include "src/codec.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <random>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

namespace logbase::test {

std::string bootstrap() {
  const char* env = std::getenv("LB_TEST_BOOTSTRAP");
  return env ? env : "127.0.0.1:19092";
}

std::string unique_name(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  return prefix + "-" + std::to_string(rng() % 1'000'000'000);
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::vector<std::string> deployment::args() const {
  return {"--bootstrap-servers=" + bootstrap_servers, "--app-id=" + app_id,
          "--accounts-topic=" + accounts_topic,
          "--events-topic=" + events_topic};
}

std::vector<std::string>
deployment::with_short_retention(int64_t retention_ms) const {
  auto retention = std::to_string(retention_ms);
  create_topic(events_topic, 4,
               {{"cleanup.policy", "delete"},
                {"retention.ms", retention},
                {"segment.ms", "1000"}});
  return {"--events-retention-ms=" + retention};
}

int64_t create_account(httplib::Client& c, const std::string& name) {
  auto res = c.Post("/accounts", "{\"name\":\"" + name + "\"}",
                    "application/json");
  BOOST_REQUIRE(res);
  BOOST_REQUIRE_EQUAL(res->status, 201);
  simdjson::dom::parser p;
  return int64_t(p.parse(res->body)["id"]);
}

std::string error_code_of(const std::string& body) {
  simdjson::dom::parser p;
  std::string_view code;
  if (p.parse(body)["error"].get(code))
    return "(no error code in: " + body + ")";
  return std::string{code};
}

int post_events(httplib::Client& c, int64_t id, const std::string& body) {
  auto res = c.Post("/accounts/" + std::to_string(id) + "/events", body,
                    "application/json");
  return res ? res->status : 0;
}

std::string iso_now(std::chrono::milliseconds offset) {
  auto t = std::chrono::system_clock::now() + offset;
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t metric(const std::string& text, const std::string& name) {
  auto at = text.find("\n" + name + " ");
  if (at == std::string::npos)
    return -1;
  return std::stoll(text.substr(at + name.size() + 2));
}

std::string get_ok(httplib::Client& c, const std::string& path) {
  auto res = c.Get(path);
  BOOST_REQUIRE_MESSAGE(res, "GET " << path << ": no answer");
  BOOST_REQUIRE_MESSAGE(res->status == 200, "GET " << path << ": "
                                              << res->status << " "
                                              << res->body);
  return res->body;
}

int64_t sum_of_counts(const std::string& statistics_body) {
  simdjson::dom::parser p;
  int64_t sum = 0;
  for (auto day : p.parse(statistics_body).get_array())
    sum += int64_t(day["count"]);
  return sum;
}

int64_t metric_of(server& s, const std::string& name) {
  auto c = s.client();
  auto res = c.Get("/metrics");
  return res ? metric(res->body, name) : -1;
}

std::set<int32_t> partitions_owned(server& s) {
  std::set<int32_t> out;
  auto c = s.client();
  auto res = c.Get("/metrics");
  if (!res || res->status != 200)
    return out;
  static const std::string prefix = "logbase_partition_owned{partition=\"";
  for (size_t at = res->body.find(prefix); at != std::string::npos;
       at = res->body.find(prefix, at + 1))
    out.insert(std::stoi(res->body.substr(at + prefix.size())));
  return out;
}

namespace {

bool owned_once(const std::vector<server*>& nodes, int32_t partitions,
                bool routable) {
  std::vector<int> owners(static_cast<size_t>(partitions), 0);
  for (auto* n : nodes) {
    auto c = n->client();
    auto ready = c.Get("/ready");
    if (!ready || ready->status != 200
        || (routable
            && metric_of(*n, "logbase_partitions_routable") != partitions))
      return false;
    for (auto p : partitions_owned(*n))
      if (p < partitions)
        ++owners[static_cast<size_t>(p)];
  }
  return std::all_of(owners.begin(), owners.end(),
                     [](int k) { return k == 1; });
}

} // namespace

bool wait_owned(const std::vector<server*>& nodes, int32_t partitions,
                std::chrono::milliseconds timeout) {
  return wait_until([&] { return owned_once(nodes, partitions, false); },
                    timeout, std::chrono::milliseconds(100));
}

namespace {

/// `done` true at two polls in a row: a node's view of the others comes
/// from the members topic a few milliseconds after they change, so one
/// poll may catch a view that is about to change.
bool wait_twice(const std::function<bool()>& done,
                std::chrono::milliseconds timeout) {
  int in_a_row = 0;
  return wait_until([&] {
    in_a_row = done() ? in_a_row + 1 : 0;
    return in_a_row == 2;
  }, timeout, std::chrono::milliseconds(100));
}

} // namespace

bool wait_settled(const std::vector<server*>& nodes, int32_t partitions,
                  std::chrono::milliseconds timeout) {
  return wait_twice([&] { return owned_once(nodes, partitions, true); },
                    timeout);
}

bool wait_balanced(const std::vector<server*>& nodes, int32_t partitions,
                   std::chrono::milliseconds timeout) {
  return wait_twice([&] {
    for (auto* n : nodes)
      if (partitions_owned(*n).empty())
        return false;
    return owned_once(nodes, partitions, true);
  }, timeout);
}

std::string ownership_report(const std::vector<server*>& nodes) {
  std::string out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto c = nodes[i]->client();
    auto ready = c.Get("/ready");
    out += "node " + std::to_string(i) + ": /ready "
           + (ready ? std::to_string(ready->status) + " " + ready->body
                    : std::string{"no answer"})
           + ", owns";
    for (auto p : partitions_owned(*nodes[i]))
      out += " " + std::to_string(p);
    out += ", routable "
           + std::to_string(metric_of(*nodes[i], "logbase_partitions_routable"))
           + ", peers linked "
           + std::to_string(metric_of(*nodes[i], "logbase_peers_connected"))
           + "\n";
  }
  return out;
}

int owner_index(const std::vector<server*>& nodes, int64_t account_id,
                int32_t partitions) {
  auto p = partition_for(encode_long_key(account_id), partitions);
  for (size_t i = 0; i < nodes.size(); ++i)
    if (partitions_owned(*nodes[i]).count(p) > 0)
      return static_cast<int>(i);
  return -1;
}

bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(step);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

} // namespace logbase::test
