// The limits of one request (README, "Limits"; src/request_limits.hpp)
// against the real server: each answered with its JSON error, and the
// server keeps serving.

#include <string>

#include <boost/test/unit_test.hpp>

#include "src/json.hpp"
#include "raw_client.hpp"
#include "src/request_limits.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

std::string head_with(const std::string& line, size_t headers,
                      size_t value_bytes) {
  std::string head = line + "\r\nHost: test\r\n";
  for (size_t i = 0; i < headers; ++i)
    head += "X-H" + std::to_string(i) + ": " + std::string(value_bytes, 'v')
            + "\r\n";
  return head + "\r\n";
}

/// The answer to `bytes` on a connection of its own.
std::string answer_to(server& s, const std::string& bytes) {
  raw_client raw{s.port()};
  raw.try_send(bytes); // the server may stop reading and answer first
  return raw.read_response();
}

std::string error_of(const std::string& response) {
  return error_code_of(body_of(response));
}

} // namespace

BOOST_AUTO_TEST_SUITE(limits_api_test)

BOOST_AUTO_TEST_CASE(heads_past_the_limits_get_json_errors) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "limits");
  auto health = "GET /health HTTP/1.1";

  auto many = answer_to(s, head_with(health, max_header_count + 1, 4));
  BOOST_TEST(status_line(many) == "HTTP/1.1 431 Request Header Fields Too Large");
  BOOST_TEST(error_of(many) == "headers_too_large");
  BOOST_TEST(count_of(many, "X-Request-Id: ") == 1u);
  // One fewer is fine.
  BOOST_TEST(status_line(answer_to(s, head_with(health, max_header_count - 1, 4)))
             == "HTTP/1.1 200 OK");

  auto long_line = answer_to(s, head_with(health, 1, max_header_line_bytes));
  BOOST_TEST(status_line(long_line)
             == "HTTP/1.1 431 Request Header Fields Too Large");
  BOOST_TEST(error_of(long_line) == "headers_too_large");

  auto large = answer_to(s, head_with(health, max_head_bytes / 8000 + 1, 8000));
  BOOST_TEST(error_of(large) == "headers_too_large");
  BOOST_TEST(body_of(large).find(std::to_string(max_head_bytes))
             != std::string::npos);

  auto uri = answer_to(s, head_with("GET /health?x=" + std::string(
                                      max_request_line_bytes, 'a')
                                      + " HTTP/1.1", 0, 0));
  BOOST_TEST(status_line(uri) == "HTTP/1.1 414 URI Too Long");
  BOOST_TEST(error_of(uri) == "uri_too_long");

  // A request line without end: answered, not just dropped.
  auto endless = answer_to(s, "GET /" + std::string(max_head_bytes + 10, 'a'));
  BOOST_TEST(error_of(endless) == "headers_too_large");

  auto garbage = answer_to(s, "NOT HTTP AT ALL\r\n\r\n");
  BOOST_TEST(status_line(garbage).substr(9, 3) == "400");
  BOOST_TEST(error_of(garbage) == "bad_request");

  BOOST_TEST(get_ok(c, "/accounts/" + std::to_string(id)).find("limits")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(query_parameters_and_json_nesting_have_limits) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "nesting");
  auto account = "/accounts/" + std::to_string(id);

  // Distinct ones: httplib keeps one of pairs that repeat exactly.
  std::string query;
  for (size_t i = 0; i <= max_query_params; ++i)
    query += (i ? "&" : "?") + std::string("limit=") + std::to_string(i + 1);
  auto r = c.Get(account + "/events" + query);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 400);
  BOOST_TEST(error_code_of(r->body) == "bad_query");
  BOOST_TEST(r->body.find(std::to_string(max_query_params)) != std::string::npos);

  // 100 KB of nesting: 400 naming the limit, not 413.
  auto deep = std::string(100'000, '[') + std::string(100'000, ']');
  for (auto path : {account + "/events", std::string{"/accounts"}}) {
    r = c.Post(path, deep, "application/json");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 400);
    BOOST_TEST(error_code_of(r->body) == "malformed_json");
    BOOST_TEST(r->body.find(std::to_string(max_json_depth)) != std::string::npos);
  }
  // The same body as a form: Debian's httplib refuses form bodies over
  // 8 KiB itself; the answer says so instead of "larger than 1 MiB".
  r = c.Post(account + "/events", deep, "application/x-www-form-urlencoded");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 413);
  BOOST_TEST(error_code_of(r->body) == "payload_too_large");
  BOOST_TEST(r->body.find("application/json") != std::string::npos);
  // At the limit, the nesting itself is no reason to refuse.
  r = c.Post(account + "/events",
             std::string(max_json_depth, '[') + std::string(max_json_depth, ']'),
             "application/json");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body.find("deeper than") == std::string::npos);

  // The batch and body limits, named in their answers.
  std::string batch = "[";
  for (size_t i = 0; i <= max_event_batch; ++i)
    batch += std::string(i ? "," : "") + R"({"type":"t"})";
  r = c.Post(account + "/events", batch + "]", "application/json");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 413);
  BOOST_TEST(r->body.find(std::to_string(max_event_batch)) != std::string::npos);
  r = c.Post(account + "/events", std::string(max_body_bytes + 1, ' '),
             "application/json");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 413);
  BOOST_TEST(r->body.find(std::to_string(max_body_bytes)) != std::string::npos);
  // Nothing of it was written.
  BOOST_TEST(get_ok(c, account + "/events") == "[]");
}

BOOST_AUTO_TEST_SUITE_END()
