#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "exposition.hpp"
#include "src/metrics.hpp"
#include "src/restore_progress.hpp"
#include "src/route_template.hpp"

using namespace logbase;
using logbase::test::first_unparsable;

namespace {

struct route_case {
  std::string path;
  std::string route;
};

std::ostream& operator<<(std::ostream& out, const route_case& c) {
  return out << c.path;
}

const std::vector<route_case> route_cases{
  {"/", "/"},
  {"/health", "/health"},
  {"/ready", "/ready"},
  {"/metrics", "/metrics"},
  {"/openapi.json", "/openapi.json"},
  {"/ui/app.js", "/ui/{file}"},
  {"/ui/chart.js", "/ui/{file}"},
  {"/ui/", "other"},
  {"/ui/a/b.js", "other"},
  {"/accounts", "/accounts"},
  {"/accounts/42", "/accounts/{id}"},
  {"/accounts/abc", "/accounts/{id}"}, // answered 400, still the route
  {"/accounts/42/events", "/accounts/{id}/events"},
  {"/accounts/7/events/stream", "/accounts/{id}/events/stream"},
  {"/accounts/7/statistics", "/accounts/{id}/statistics"},
  {"/accounts/", "other"},
  {"/accounts//events", "other"},
  {"/accounts/7/events/", "other"},
  {"/accounts/7/nothing", "other"},
  {"/accountsx", "other"},
  {"/favicon.ico", "other"},
  {"", "other"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_test)

BOOST_DATA_TEST_CASE(paths_map_to_their_route_template,
                     boost::unit_test::data::make(route_cases), c) {
  BOOST_TEST(route_template(c.path) == c.route);
}

BOOST_AUTO_TEST_CASE(methods_outside_the_api_are_one_label) {
  BOOST_TEST(method_label("GET") == "GET");
  BOOST_TEST(method_label("PATCH") == "PATCH");
  BOOST_TEST(method_label("BREW") == "other");
  BOOST_TEST(method_label("get") == "other");
}

BOOST_AUTO_TEST_CASE(an_answer_counts_in_the_histogram_of_its_route_and_status) {
  metrics m;
  m.count_answer("/accounts/{id}", "GET", 200, 0.0003);
  m.count_answer("/accounts/{id}", "GET", 200, 0.002);
  m.count_answer("/accounts/{id}", "GET", 404, 0.0001);
  m.count_answer("other", "GET", 503, 2);
  auto text = m.render();
  BOOST_TEST(first_unparsable(text) == "");
  // (The check itself finds a line that does not parse.)
  BOOST_TEST(first_unparsable(text + "x{route=/a} 1\n") == "x{route=/a} 1");
  auto has = [&](const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
  };
  const std::string labels
    = R"(method="GET",route="/accounts/{id}",status="200")";
  BOOST_TEST(has("logbase_http_request_seconds_count{" + labels + "} 2"));
  BOOST_TEST(has("logbase_http_request_seconds_bucket{" + labels
                 + ",le=\"0.0005\"} 1"));
  BOOST_TEST(has("logbase_http_request_seconds_bucket{" + labels
                 + ",le=\"0.0025\"} 2"));
  BOOST_TEST(has(R"(logbase_http_request_seconds_count{method="GET",route="/accounts/{id}",status="404"} 1)"));
  BOOST_TEST(has("logbase_http_requests_total 4"));
  BOOST_TEST(has("logbase_http_client_errors_total 1"));
  BOOST_TEST(has("logbase_http_server_errors_total 1"));
}

BOOST_AUTO_TEST_CASE(every_topic_is_listed_from_the_start) {
  metrics m;
  m.count_undecodable(topic::accounts);
  m.observe_produce(topic::events, 0.004);
  auto text = m.render();
  BOOST_TEST(text.find("logbase_undecodable_records_total{topic=\"accounts\"} 1\n")
             != std::string::npos);
  BOOST_TEST(text.find("logbase_undecodable_records_total{topic=\"members\"} 0\n")
             != std::string::npos);
  BOOST_TEST(text.find("logbase_kafka_produce_seconds_count{topic=\"events\"} 1\n")
             != std::string::npos);
  BOOST_TEST(text.find("logbase_kafka_produce_seconds_count{topic=\"accounts\"} 0\n")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_tally_of_produce_latencies_is_what_observing_each_gives) {
  // Below the first limit, on limits, between them, past the last.
  const std::vector<double> seconds{0.00005, 0.0001, 0.0003, 0.001, 0.001,
                                    0.02,    30,     45,     0.0025};
  metrics each;
  metrics tallied;
  produce_tally tally;
  for (auto s : seconds) {
    each.observe_produce(topic::events, s);
    tally.add(topic::events, s);
  }
  tally.add(topic::accounts, 0.002);
  tally.flush(tallied);
  tally.flush(tallied); // nothing left: adds nothing
  auto lines = [](const std::string& text, const std::string& topic) {
    std::string out;
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);)
      if (line.rfind("logbase_kafka_produce_seconds", 0) == 0
          && line.find("topic=\"" + topic + "\"") != std::string::npos)
        out += line + "\n";
    return out;
  };
  auto expected = lines(each.render(), "events");
  BOOST_TEST(!expected.empty());
  BOOST_TEST(lines(tallied.render(), "events") == expected);
  BOOST_TEST(expected.find("_count{topic=\"events\"} 9\n") != std::string::npos);
  BOOST_TEST(lines(tallied.render(), "accounts").find("_count{topic=\"accounts\"} 1\n")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(owned_partitions_come_and_go) {
  metrics m;
  m.set_owned_partitions({0, 3});
  m.set_owned_partitions({3, 5});
  auto text = m.render();
  BOOST_TEST(text.find("logbase_partitions_owned 2\n") != std::string::npos);
  BOOST_TEST(text.find("logbase_partition_owned{partition=\"0\"}")
             == std::string::npos);
  BOOST_TEST(text.find("logbase_partition_owned{partition=\"3\"} 1\n")
             != std::string::npos);
  BOOST_TEST(text.find("logbase_partition_owned{partition=\"5\"} 1\n")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_forgotten_lag_is_no_longer_shown) {
  metrics m;
  auto& lag = m.consumer_lag("event_log", "events", 2);
  lag.Set(17);
  const std::string line
    = R"(logbase_consumer_lag{partition="2",store="event_log",topic="events"} 17)";
  BOOST_TEST(m.render().find(line) != std::string::npos);
  m.forget_lag(lag);
  BOOST_TEST(m.render().find(line) == std::string::npos);
}

// -- restore progress ---------------------------------------------------------

constexpr int64_t s = 1'000'000'000;

BOOST_AUTO_TEST_CASE(rate_and_eta_follow_from_records_and_time) {
  BOOST_TEST(records_per_second(50'000, 2 * s) == 25'000.0);
  BOOST_TEST(records_per_second(10, 0) == 0.0);
  BOOST_TEST(*eta_seconds(100'000, 25'000.0) == 4.0);
  BOOST_TEST(*eta_seconds(0, 0.0) == 0.0);
  BOOST_TEST(!eta_seconds(10, 0.0));
  BOOST_TEST(format_duration(0.25) == "250 ms");
  BOOST_TEST(format_duration(12.46) == "12.5 s");
  BOOST_TEST(format_duration(185) == "3 min 5 s");
  BOOST_TEST(format_duration(3720) == "1 h 2 min");
}

BOOST_AUTO_TEST_CASE(progress_lines_come_every_interval_with_the_recent_rate) {
  restore_progress p{5 * s, 1 * s};
  p.begin("event_log", 1, 0, 0, 600'000, 0);
  p.begin("event_log", 1, 1, 100, 400'100, 0);
  BOOST_TEST(p.partitions() == 2);
  BOOST_TEST(p.remaining() == 1'000'000);
  p.advance("event_log", 1, 0, 100'000, 100'000);
  BOOST_TEST(!p.progress_line(4 * s)); // not due yet
  auto first = p.progress_line(5 * s);
  BOOST_REQUIRE(first);
  BOOST_TEST(*first
             == "restoring 2 partitions: 100000 records read, 900000 to go, "
                "20000 records/s, ETA 45.0 s");
  p.advance("event_log", 1, 1, 300'100, 300'000);
  BOOST_TEST(!p.progress_line(9 * s));
  auto second = p.progress_line(10 * s); // 300,000 in the last 5 s
  BOOST_REQUIRE(second);
  BOOST_TEST(*second
             == "restoring 2 partitions: 400000 records read, 600000 to go, "
                "60000 records/s, ETA 10.0 s");
}

BOOST_AUTO_TEST_CASE(records_of_partitions_not_restoring_are_not_counted) {
  restore_progress p{5 * s, 1 * s};
  p.begin("stats", 4, 0, 0, 10, 0);
  p.advance("stats", 4, 1, 50, 50);
  p.advance("event_log", 4, 0, 50, 50);
  BOOST_TEST(p.records() == 0);
  BOOST_TEST(p.of("stats").remaining == 10);
}

BOOST_AUTO_TEST_CASE(the_final_line_waits_until_the_restore_has_settled) {
  restore_progress p{5 * s, 1 * s};
  p.begin("stats", 3, 0, 0, 40, 0);
  p.begin("account_table", 0, 0, 0, 5, 0);
  p.advance("account_table", 0, 0, 5, 5);
  p.finish("account_table", 0, 0, s / 10);
  BOOST_TEST(!p.final_line(2 * s)); // the statistics still restore
  p.advance("stats", 3, 0, 40, 38); // compacted: fewer records than offsets
  p.finish("stats", 3, 0, 2 * s);
  // The statistics' events follow their changelog within the settle time.
  BOOST_TEST(!p.final_line(2 * s + s / 2));
  p.begin("stats", 1, 0, 0, 100, 2 * s + s / 2);
  p.advance("stats", 1, 0, 100, 100);
  p.finish("stats", 1, 0, 4 * s);
  BOOST_TEST(!p.final_line(4 * s + s / 2));
  auto line = p.final_line(5 * s);
  BOOST_REQUIRE(line);
  BOOST_TEST(*line
             == "restored 143 records of 3 partitions in 4.0 s (36 records/s; "
                "account_table 5, stats 138)");
  BOOST_TEST(!p.active());
  BOOST_TEST(!p.final_line(9 * s)); // once
  // A later restore (a partition taken over) is an episode of its own.
  p.begin("event_log", 1, 2, 0, 7, 20 * s);
  p.advance("event_log", 1, 2, 7, 7);
  p.finish("event_log", 1, 2, 21 * s);
  auto next = p.final_line(22 * s);
  BOOST_REQUIRE(next);
  BOOST_TEST(*next
             == "restored 7 records of 1 partitions in 1.0 s (7 records/s; "
                "event_log 7)");
}

BOOST_AUTO_TEST_CASE(a_held_or_expected_restore_is_not_over) {
  restore_progress p{5 * s, 1 * s};
  p.hold(true, 0); // waiting for the group's answer
  p.begin("account_table", 0, 0, 0, 5, 0);
  p.advance("account_table", 0, 0, 5, 5);
  p.finish("account_table", 0, 0, s / 10);
  BOOST_TEST(!p.final_line(4 * s));
  p.hold(false, 4 * s); // the share comes: its partitions are expected
  p.expect("event_log", 1, 0, 4 * s);
  p.expect("event_log", 1, 1, 4 * s);
  BOOST_TEST(!p.final_line(6 * s));
  p.finish("event_log", 1, 1, 6 * s); // at its end already
  p.begin("event_log", 1, 0, 0, 20, 7 * s);
  p.advance("event_log", 1, 0, 20, 20);
  p.finish("event_log", 1, 0, 8 * s);
  auto line = p.final_line(9 * s);
  BOOST_REQUIRE(line);
  BOOST_TEST(*line
             == "restored 25 records of 2 partitions in 8.0 s (3 records/s; "
                "account_table 5, event_log 20)");
}

BOOST_AUTO_TEST_CASE(an_episode_with_nothing_behind_ends_without_a_line) {
  restore_progress p{5 * s, 1 * s};
  p.expect("stats", 1, 0, 0);
  p.finish("stats", 1, 0, s / 2);
  BOOST_TEST(!p.final_line(2 * s));
  BOOST_TEST(!p.active());
}

BOOST_AUTO_TEST_SUITE_END()
