#include <algorithm>
#include <cstdio>
#include <regex>
#include <sstream>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "exposition.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// The values of every sample of `name` whose labels contain `has` (each
/// `label="value"` as the server writes them).
std::vector<int64_t> samples(const std::string& text, const std::string& name,
                             const std::string& has = "") {
  std::vector<int64_t> out;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(name + "{") && !line.starts_with(name + " "))
      continue;
    auto value_at = line.rfind(' ');
    if (line.find(has) < value_at)
      out.push_back(std::stoll(line.substr(value_at + 1)));
  }
  return out;
}

std::string metrics_text(httplib::Client& c) {
  return get_ok(c, "/metrics");
}

std::string batch_of(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i)
    out += std::string{i == 0 ? "" : ","} + R"({"type":"view"})";
  return out + "]";
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_api_test)

BOOST_AUTO_TEST_CASE(requests_writes_and_reads_show_in_histograms_and_gauges) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "measured");
  auto path = "/accounts/" + std::to_string(id);
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 201);
  BOOST_TEST(post_events(c, id, batch_of(6)) == 201);
  BOOST_TEST(get_ok(c, path).find("measured") != std::string::npos);
  get_ok(c, path);
  BOOST_TEST(c.Get("/accounts/99999999")->status == 404);
  BOOST_TEST(c.Get("/no/such/route")->status == 404);

  // An answer is counted once written, maybe after the client has read it
  // (a new connection may ask for /metrics first): wait for them all.
  const std::vector<std::pair<std::string, int64_t>> expected{
    // By route template, never the raw path: one series for both accounts.
    {R"(method="GET",route="/accounts/{id}",status="200")", 2},
    {R"(method="GET",route="/accounts/{id}",status="404")", 1},
    {R"(method="POST",route="/accounts/{id}/events",status="201")", 2},
    {R"(method="POST",route="/accounts",status="201")", 1},
    {R"(method="GET",route="other",status="404")", 1},
  };
  std::string text;
  auto count = [&](const std::string& labels) {
    return samples(text, "logbase_http_request_seconds_count", labels);
  };
  auto all_counted = [&] {
    text = metrics_text(c);
    return std::all_of(expected.begin(), expected.end(), [&](auto& e) {
      return count(e.first) == std::vector<int64_t>{e.second};
    });
  };
  BOOST_TEST(wait_until(all_counted, 5s));
  for (auto& [labels, n] : expected)
    BOOST_TEST(count(labels) == std::vector<int64_t>{n}, labels);
  BOOST_TEST(first_unparsable(text) == "");
  BOOST_TEST(text.find(path) == std::string::npos,
             "no series is labelled with a raw path");
  // Every event posted was produced once, and its delivery timed.
  BOOST_TEST(samples(text, "logbase_kafka_produce_seconds_count",
                     R"(topic="events")")
             == std::vector<int64_t>{7});
  auto accounts_produced = samples(text, "logbase_kafka_produce_seconds_count",
                                   R"(topic="accounts")");
  BOOST_TEST((accounts_produced.size() == 1 && accounts_produced[0] >= 1));
  BOOST_TEST(samples(text, "logbase_events_published_total")
             == std::vector<int64_t>{7});

  // The readers of this node's partitions catch up with what was written.
  auto caught_up = [&] {
    auto now = metrics_text(c);
    auto lags = samples(now, "logbase_consumer_lag", R"(store="event_log")");
    return !lags.empty()
           && std::all_of(lags.begin(), lags.end(),
                          [](int64_t l) { return l == 0; });
  };
  BOOST_TEST(wait_until(caught_up, 10s), metrics_text(c));
  // The statistics commit what they counted to their changelog.
  BOOST_TEST(wait_until(
    [&] { return metric_of(s, "logbase_stats_commits_total") >= 1; }, 10s));
  BOOST_TEST(metric_of(s, "logbase_stats_aborts_total") == 0);
}

BOOST_AUTO_TEST_CASE(a_restart_logs_and_counts_its_restore) {
  deployment d;
  constexpr int batches = 20;
  constexpr int per_batch = 100;
  {
    server first{d};
    auto c = first.client();
    auto id = create_account(c, "restored");
    for (int i = 0; i < batches; ++i)
      BOOST_REQUIRE_EQUAL(post_events(c, id, batch_of(per_batch)), 201);
  }
  auto log = "restore-log-" + std::to_string(::getpid()) + ".log";
  std::remove(log.c_str());
  server s{d, {"--log-level=info"}, true, 0, log};
  auto c = s.client();
  // The index was read from `events`, every record of it.
  auto restored = [&] {
    return metric_of(s, R"(logbase_restore_records_total{store="event_log"})");
  };
  BOOST_TEST(wait_until([&] { return restored() == batches * per_batch; }, 10s),
             metrics_text(c));
  // And nothing is left restoring, in any store.
  auto all_zero = [](const std::vector<int64_t>& xs) {
    return !xs.empty() && std::all_of(xs.begin(), xs.end(),
                                      [](int64_t x) { return x == 0; });
  };
  BOOST_TEST(wait_until(
               [&] {
                 auto text = metrics_text(c);
                 return all_zero(samples(text, "logbase_restore_partitions"))
                        && all_zero(samples(
                          text, "logbase_restore_records_remaining"));
               },
               10s),
             metrics_text(c));

  // Once it settled, one line says what was restored, per store.
  static const std::regex done{R"(restore: restored (\d+) records of (\d+) )"
                               R"(partitions in [^(]*\(\d+ records/s; (.*)\))"};
  std::smatch m;
  auto logged = [&] {
    auto t = read_file(log);
    return std::regex_search(t, m, done) ? t : std::string{};
  };
  std::string t;
  BOOST_TEST(wait_until([&] { return !(t = logged()).empty(); }, 10s),
             read_file(log));
  std::regex_search(t, m, done);
  auto per_store = m[3].str();
  BOOST_TEST(per_store.find("event_log " + std::to_string(batches * per_batch))
               != std::string::npos,
             per_store);
  BOOST_TEST(std::stoll(m[1].str()) >= batches * per_batch);
  std::remove(log.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
