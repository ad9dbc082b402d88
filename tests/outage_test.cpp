#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "own_broker.hpp"
#include "support.hpp"

using namespace logbase::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(outage_test)

BOOST_AUTO_TEST_CASE(an_unreachable_broker_gets_503_and_loses_nothing) {
  own_broker broker;
  deployment d;
  server s{d, {"--bootstrap-servers=" + broker.address(),
               "--write-timeout-ms=3000"}};
  auto c = s.client();
  auto id = create_account(c, "before");
  BOOST_TEST(post_events(c, id, R"({"type":"kept"})") == 201);

  BOOST_REQUIRE(broker.run("stop") == 0);
  // A 503 at all is the point: a hang would leave the client's own read
  // timeout (30 s) to end the request, and `res` empty. How much sooner
  // than that the write timeout answers is no assertion: on a loaded
  // machine it is not 3 s.
  auto res = c.Post("/accounts", R"({"name":"during"})", "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 503);
  BOOST_TEST(res->has_header("Retry-After"));
  BOOST_TEST(error_code_of(res->body) == "broker_unavailable");
  BOOST_TEST(post_events(c, id, R"({"type":"lost"})") == 503);
  // A keyed batch answered 503 is safe to retry until it succeeds.
  auto keyed = [&] {
    return c.Post("/accounts/" + std::to_string(id) + "/events",
                  httplib::Headers{{"Idempotency-Key", "outage-1"}},
                  R"([{"type":"keyed"},{"type":"keyed"}])", "application/json");
  };
  BOOST_TEST(keyed()->status == 503);
  // The process is alive. Reads are served from memory until the node has
  // not heard from the group coordinator for 3/4 of its session (4.5 s, about
  // now): then another node could soon own the account, so it says so
  // (503), never a stale answer.
  BOOST_TEST(c.Get("/health")->status == 200);
  auto read = c.Get("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(read);
  BOOST_TEST((read->status == 200 || read->status == 503), read->body);
  if (read->status == 503)
    BOOST_TEST(read->has_header("Retry-After"));

  BOOST_REQUIRE(broker.run("start") == 0);
  // The broker answers again: how long until writes succeed is a figure to
  // print, not to assert (it depends on the machine).
  auto back = std::chrono::steady_clock::now();
  BOOST_TEST(wait_until(
    [&] {
      auto again = c.Post("/accounts", R"({"name":"after"})",
                          "application/json");
      return again && again->status == 201;
    },
    30s, 20ms));
  auto account_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - back);
  BOOST_TEST(wait_until(
    [&] { return post_events(c, id, R"({"type":"after"})") == 201; }, 30s,
    20ms));
  auto event_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - back);
  std::cout << "outage test: writes succeed again " << account_ms.count()
            << " ms (account POST) and " << event_ms.count()
            << " ms (event POST) after the broker answers\n";
  std::string first;
  BOOST_TEST(wait_until(
    [&] {
      auto r = keyed();
      first = r && r->status == 201 ? r->body : "";
      return !first.empty();
    },
    30s, 20ms));
  BOOST_TEST(keyed()->body == first);
  BOOST_TEST(c.Get("/accounts/" + std::to_string(id))->status == 200);
  auto events = c.Get("/accounts/" + std::to_string(id) + "/events")->body;
  BOOST_TEST(count_of(events, "\"kept\"") == 1u);
  BOOST_TEST(count_of(events, "\"keyed\"") == 2u);
  BOOST_TEST(s.stop() == 0);
}

BOOST_AUTO_TEST_CASE(it_stops_cleanly_while_the_broker_is_down) {
  own_broker broker;
  deployment d;
  server s{d, {"--bootstrap-servers=" + broker.address(),
               "--write-timeout-ms=2000"}};
  auto c = s.client();
  auto id = create_account(c, "a");
  BOOST_REQUIRE(broker.run("stop") == 0);
  // Writes left hanging in librdkafka's queues must not hold up the exit.
  BOOST_TEST(c.Put("/accounts/77", R"({"name":"b"})", "application/json")->status
             == 503);
  BOOST_TEST(c.Patch("/accounts/" + std::to_string(id), R"({"name":"b"})",
                     "application/json")->status == 503);
  // Status 0 is a stop that finished: the server's own 20 s watchdog ends
  // a hung shutdown with status 1, and stop() gives up (-2) after 30 s. A
  // wall-clock bound would add only a flake under load.
  BOOST_TEST(s.stop() == 0);
}

BOOST_AUTO_TEST_CASE(requests_beyond_max_inflight_get_503_overloaded) {
  own_broker broker;
  deployment d;
  server s{d, {"--bootstrap-servers=" + broker.address(),
               "--write-timeout-ms=3000", "--max-inflight=1"}};
  auto c = s.client();
  auto id = create_account(c, "a");
  BOOST_REQUIRE(broker.run("stop") == 0);
  // A write that cannot become durable holds the one place in flight.
  std::thread writer{[&] {
    auto w = s.client();
    w.Put("/accounts/" + std::to_string(id), R"({"name":"b"})",
          "application/json");
  }};
  BOOST_TEST(wait_until(
    [&] { return metric_of(s, "logbase_http_inflight") == 1; }, 5s, 10ms));
  auto refused = c.Get("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 503);
  BOOST_TEST(error_code_of(refused->body) == "overloaded");
  BOOST_TEST(refused->has_header("Retry-After"));
  writer.join();
  // The place is free again once the write is answered: the read is
  // served (200), or, once the node has not heard from the group
  // coordinator for 3/4 of its session (4.5 s), refused for that reason.
  auto after = c.Get("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(after);
  BOOST_TEST((after->status == 200
              || (after->status == 503
                  && error_code_of(after->body) != "overloaded")),
             after->body);
  BOOST_TEST(metric_of(s, "logbase_http_overloaded_total") >= 1);
}

// A broker starved of CPU (on 2 cores under load: collection pauses of
// 0.4 s, one answer of 3.3 s) is slow, not gone: the group keeps the node's
// session, so the node keeps serving. Stopped for 2.5 s of every 3, while
// the guard asked one question at a time, a lone node stopped serving 5-6
// times in 12 rounds.
BOOST_AUTO_TEST_CASE(a_broker_that_keeps_pausing_does_not_stop_a_lone_node) {
  own_broker broker;
  deployment d;
  server s{d, {"--bootstrap-servers=" + broker.address()}};
  auto c = s.client();
  auto id = create_account(c, "paused");
  BOOST_REQUIRE(post_events(c, id, R"({"type":"before"})") == 201);
  auto pid = broker.pid();
  BOOST_REQUIRE(pid > 0);
  std::atomic<bool> done{false};
  std::atomic<int> served{0};
  std::string refused; // the first answer other than 200
  std::thread reader{[&] {
    auto r = s.client();
    while (!done) {
      auto res = r.Get("/accounts/" + std::to_string(id));
      if (res && res->status == 200)
        ++served;
      else if (refused.empty())
        refused = res ? std::to_string(res->status) + " " + res->body
                      : "no answer";
      std::this_thread::sleep_for(50ms);
    }
  }};
  for (int round = 0; round < 12; ++round) {
    BOOST_TEST(::kill(pid, SIGSTOP) == 0);
    std::this_thread::sleep_for(2500ms);
    BOOST_TEST(::kill(pid, SIGCONT) == 0);
    std::this_thread::sleep_for(500ms);
  }
  done = true;
  reader.join();
  BOOST_TEST(refused.empty(), refused);
  BOOST_TEST(served > 100);
  BOOST_TEST(wait_until(
    [&] { return post_events(c, id, R"({"type":"after"})") == 201; }, 30s,
    20ms));
  BOOST_TEST(s.stop() == 0);
}

// librdkafka ends a static member for good when the broker says another
// consumer took its group.instance.id. That happens after a broker outage
// too (the session timed out and the rejoin raced the broker's restart:
// outage_test failed so in CI). A namesake consumer provokes it at will.
BOOST_AUTO_TEST_CASE(a_node_fenced_from_the_group_joins_again) {
  deployment d;
  server s{d, {"--node-name=fenced-node"}};
  auto c = s.client();
  auto id = create_account(c, "a");
  BOOST_REQUIRE(post_events(c, id, R"({"type":"before"})") == 201);
  {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf{
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
    BOOST_REQUIRE(conf->set("bootstrap.servers", d.bootstrap_servers, err)
                  == RdKafka::Conf::CONF_OK);
    conf->set("group.id", d.app_id, err);
    conf->set("group.instance.id", "fenced-node", err);
    conf->set("partition.assignment.strategy", "cooperative-sticky", err);
    conf->set("session.timeout.ms", "6000", err);
    std::unique_ptr<RdKafka::KafkaConsumer> namesake{
      RdKafka::KafkaConsumer::create(conf.get(), err)};
    BOOST_REQUIRE(namesake);
    BOOST_REQUIRE(namesake->subscribe({d.events_topic})
                  == RdKafka::ERR_NO_ERROR);
    // The namesake takes the membership; the server, fenced, takes it
    // back, which fences the namesake.
    bool fenced = false;
    BOOST_TEST(wait_until(
      [&] {
        std::unique_ptr<RdKafka::Message> m{namesake->consume(100)};
        fenced = fenced || m->err() == RdKafka::ERR__FATAL;
        return fenced;
      },
      60s, 0ms));
    namesake->close();
  }
  BOOST_TEST(wait_until(
    [&] { return post_events(c, id, R"({"type":"after"})") == 201; }, 60s,
    20ms));
  auto events = get_ok(c, "/accounts/" + std::to_string(id) + "/events");
  BOOST_TEST(count_of(events, "\"before\"") == 1u);
  BOOST_TEST(count_of(events, "\"after\"") == 1u);
  BOOST_TEST(s.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
