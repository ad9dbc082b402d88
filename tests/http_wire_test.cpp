// The HTTP connection as the wire sees it: answers that the front's thread
// writes straight to the socket (http/connection.hpp) must keep the order
// of pipelined requests, arrive whole at a client that reads slowly, and
// a client that leaves must free what it held.

#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include "raw_client.hpp"
#include "support.hpp"

using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// `[…]` of `n` events, one type, happened now.
std::string event_batch(size_t n) {
  std::string body = "[";
  for (size_t i = 0; i < n; ++i)
    body += std::string(i ? "," : "") + R"({"type":"wire_test"})";
  return body + "]";
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_wire_test)

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "wire");
  BOOST_REQUIRE_EQUAL(post_events(c, id, event_batch(3)), 201);

  raw_client raw{s.port()};
  auto account = "/accounts/" + std::to_string(id);
  // Three requests in one write: the answers of the first two are written
  // by the front's thread, the third by the HTTP thread; order must hold.
  raw.send(get(account) + get(account + "/events?limit=10") + get("/health")
           + get("/accounts/999999999"));
  auto first = raw.read_response();
  auto second = raw.read_response();
  auto third = raw.read_response();
  auto fourth = raw.read_response();
  BOOST_CHECK_EQUAL(status_line(first), "HTTP/1.1 200 OK");
  BOOST_CHECK_NE(body_of(first).find("\"name\":\"wire\""), std::string::npos);
  BOOST_CHECK_EQUAL(status_line(second), "HTTP/1.1 200 OK");
  BOOST_CHECK_EQUAL(count_of(body_of(second), "\"type\":\"wire_test\""), 3u);
  BOOST_CHECK_EQUAL(status_line(third), "HTTP/1.1 200 OK");
  BOOST_CHECK_EQUAL(body_of(third), R"({"status":"up"})");
  BOOST_CHECK_EQUAL(status_line(fourth), "HTTP/1.1 404 Not Found");
  BOOST_CHECK_EQUAL(error_code_of(body_of(fourth)), "account_not_found");
}

BOOST_AUTO_TEST_CASE(a_large_answer_reaches_a_slow_reader_whole) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "slow reader");
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE_EQUAL(post_events(c, id, event_batch(1000)), 201);

  // A small receive window and no reading for a while: the answer (about
  // 200 KB) cannot go out in one write, so its rest waits for the client.
  raw_client raw{s.port(), 4096};
  auto path = "/accounts/" + std::to_string(id) + "/events?limit=3000";
  raw.send(get(path));
  std::this_thread::sleep_for(500ms);
  auto r = raw.read_response();
  BOOST_REQUIRE_EQUAL(status_line(r), "HTTP/1.1 200 OK");
  auto body = body_of(r);
  BOOST_CHECK_EQUAL(count_of(body, "\"type\":\"wire_test\""), 3000u);
  BOOST_CHECK_EQUAL(body.back(), ']');
  // The same connection goes on serving.
  raw.send(get("/accounts/" + std::to_string(id)));
  BOOST_CHECK_EQUAL(status_line(raw.read_response()), "HTTP/1.1 200 OK");
}

BOOST_AUTO_TEST_CASE(clients_that_leave_free_what_they_held) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "leaver");
  auto account = "/accounts/" + std::to_string(id);

  // Requests sent, connections closed before any answer is read.
  auto published = metric_of(s, "logbase_events_published_total");
  {
    std::vector<std::unique_ptr<raw_client>> leavers;
    for (int i = 0; i < 20; ++i) {
      leavers.push_back(std::make_unique<raw_client>(s.port()));
      auto body = event_batch(10);
      leavers.back()->send("POST " + account
                           + "/events HTTP/1.1\r\nHost: test\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: "
                           + std::to_string(body.size()) + "\r\n\r\n" + body);
      leavers.push_back(std::make_unique<raw_client>(s.port()));
      leavers.back()->send(get(account + "/events/stream"));
    }
    // Closed only once the server holds what they asked for: every stream
    // joined and every batch written (else nothing was held, and the
    // checks below pass whatever the server frees).
    BOOST_REQUIRE_MESSAGE(wait_until([&] {
      return metric_of(s, "logbase_stream_readers") == 20
             && metric_of(s, "logbase_events_published_total")
                  == published + 200;
    }, 30s, 20ms), "the server never took all 40 requests");
  } // all closed here

  BOOST_CHECK(wait_until(
    [&] {
      return metric_of(s, "logbase_http_inflight") == 0
             && metric_of(s, "logbase_stream_readers") == 0;
    },
    5s));
  BOOST_CHECK_EQUAL(metric_of(s, "logbase_http_inflight"), 0);
  BOOST_CHECK_EQUAL(metric_of(s, "logbase_stream_readers"), 0);
  // The server still answers, and what it answered 201 for is there.
  auto events = get_ok(c, account + "/events?limit=10000");
  BOOST_CHECK_EQUAL(count_of(events, "\"type\":\"wire_test\""), 200u);
}

BOOST_AUTO_TEST_CASE(every_answer_names_its_request) {
  deployment d;
  server s{d};
  for (bool keep_alive : {false, true}) {
    auto c = s.client();
    c.set_keep_alive(keep_alive); // kept alive: answers handed over too
    auto id = create_account(c, "ids");
    auto path = "/accounts/" + std::to_string(id);
    for (int round = 0; round < 3; ++round) {
      auto given = "client-" + std::to_string(round) + ":a.b_c";
      auto r = c.Get(path, {{"X-Request-Id", given}});
      BOOST_REQUIRE(r);
      BOOST_TEST(r->status == 200);
      BOOST_TEST(r->get_header_value("X-Request-Id") == given);
    }
    // Unsafe or absent ids get new ones, on every kind of answer.
    std::set<std::string> fresh;
    for (auto& [method, target, header] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", path, "has space"},
           {"GET", path, std::string(129, 'a')},
           {"GET", path, ""},
           {"GET", "/no/such/route", ""},
           {"DELETE", "/accounts", ""},
           {"GET", "/health", ""}}) {
      httplib::Headers h;
      if (!header.empty())
        h.emplace("X-Request-Id", header);
      auto r = method == "GET" ? c.Get(target, h) : c.Delete(target, h);
      BOOST_REQUIRE(r);
      auto got = r->get_header_value("X-Request-Id");
      BOOST_TEST(!got.empty(), target);
      BOOST_TEST(got != header, target);
      BOOST_TEST(got.size() <= 128u);
      fresh.insert(got);
    }
    BOOST_TEST(fresh.size() == 6u);
  }
}

BOOST_AUTO_TEST_CASE(json_log_lines_parse_and_name_their_request) {
  deployment d;
  auto log = "json-log-" + std::to_string(::getpid()) + ".log";
  std::remove(log.c_str());
  server s{d, {"--log-format=json", "--log-level=debug"}, true, 0, log};
  auto c = s.client();
  auto r = c.Get("/accounts/424242", {{"X-Request-Id", "trace-42"}});
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 404);
  BOOST_REQUIRE_EQUAL(s.stop(), 0);
  auto text = read_file(log);
  std::remove(log.c_str());
  simdjson::dom::parser parser;
  size_t lines = 0, of_the_request = 0;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    ++lines;
    auto doc = parser.parse(line);
    BOOST_REQUIRE_MESSAGE(!doc.error(), "not JSON: " << line);
    for (auto field : {"time", "level", "component", "message"})
      BOOST_TEST(!doc[field].error(), field << " in " << line);
    auto id = doc["request_id"];
    if (!id.error() && std::string_view(id) == "trace-42") {
      ++of_the_request;
      BOOST_TEST(std::string_view(doc["message"]).find("/accounts/424242")
                 != std::string_view::npos);
    }
  }
  BOOST_TEST(lines > 3u);
  BOOST_TEST(of_the_request >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
