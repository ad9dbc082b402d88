// Safe retries against the real broker and the server binary: the answer of
// a retry, what lands on the topic (records and their `idempotency` header),
// restarts, a batch that landed in part, and the window.
#include <cinttypes>
#include <cstdio>
#include <set>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "support.hpp"
#include "src/time.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

httplib::Result post_keyed(httplib::Client& c, int64_t id,
                           const std::string& body, const std::string& key) {
  return c.Post("/accounts/" + std::to_string(id) + "/events",
                httplib::Headers{{"Idempotency-Key", key}}, body,
                "application/json");
}

std::string path_of(int64_t id, const std::string& rest) {
  return "/accounts/" + std::to_string(id) + rest;
}

/// What a test reads of an `idempotency` header, by its documented format.
struct header_fields {
  std::string version, hash;
  uint32_t part = 0, parts = 0;
  int64_t written_ms = 0;
  std::string key;
};

std::optional<header_fields> idempotency_header_of(const raw_record& r) {
  for (auto& [name, value] : r.headers)
    if (name == "idempotency") {
      header_fields f;
      std::istringstream in{value};
      if (in >> f.version >> f.hash >> f.part >> f.parts >> f.written_ms
               >> f.key)
        return f;
    }
  return std::nullopt;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(idempotency_api_test)

BOOST_AUTO_TEST_CASE(a_retry_answers_as_the_first_attempt_and_writes_nothing) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  const std::string batch = R"([{"type":"a"},{"type":"b"}])";
  auto before_ms = now_ms();
  auto first = post_keyed(c, id, batch, "order-1");
  auto after_ms = now_ms();
  BOOST_REQUIRE(first);
  BOOST_TEST(first->status == 201);
  // Each record carries the key in its header; the value is as always.
  auto records = read_topic(d.events_topic);
  BOOST_REQUIRE(records.size() == 2u);
  std::set<uint32_t> parts;
  for (auto& r : records) {
    auto h = idempotency_header_of(r);
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->version == "1");
    BOOST_TEST(h->hash.size() == 16u);
    BOOST_TEST(h->parts == 2u);
    BOOST_TEST(h->key == "order-1");
    BOOST_TEST(h->written_ms >= before_ms);
    BOOST_TEST(h->written_ms <= after_ms);
    parts.insert(h->part);
    BOOST_TEST(r.value->find("\"type\"") != std::string::npos);
  }
  BOOST_TEST(parts == (std::set<uint32_t>{0, 1}));
  auto stats_before = get_ok(c, path_of(id, "/statistics"));
  BOOST_TEST(sum_of_counts(stats_before) == 2);
  // The retry comes later (happenedAt defaults to the arrival), yet it
  // answers the first attempt's events, to the nanosecond.
  auto retry = post_keyed(c, id, batch, "order-1");
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->status == 201);
  BOOST_TEST(retry->body == first->body);
  // Also with other spacing, on another connection.
  auto c2 = s.client();
  auto spaced = post_keyed(c2, id, " [ {\"type\": \"a\"} , {\"type\":\"b\"} ]",
                           "order-1");
  BOOST_TEST(spaced->body == first->body);
  BOOST_TEST(read_topic(d.events_topic).size() == 2u);
  BOOST_TEST(count_of(get_ok(c, path_of(id, "/events")), "\"type\"") == 2u);
  BOOST_TEST(get_ok(c, path_of(id, "/statistics")) == stats_before);
  // One event answers as an object, again on retry.
  auto one = post_keyed(c, id, R"({"type":"x"})", "order-2");
  BOOST_TEST(one->status == 201);
  BOOST_TEST(one->body.front() == '{');
  BOOST_TEST(post_keyed(c, id, R"({"type":"x"})", "order-2")->body
             == one->body);
  // The same key with another body: 422, nothing written.
  auto reused = post_keyed(c, id, R"([{"type":"a"}])", "order-1");
  BOOST_TEST(reused->status == 422);
  BOOST_TEST(error_code_of(reused->body) == "idempotency_key_reused");
  BOOST_TEST(read_topic(d.events_topic).size() == 3u);
  BOOST_TEST(metric_of(s, "logbase_idempotent_replays_total") == 3);
  // Keys are per account: the same key elsewhere is a write of its own.
  auto other = create_account(c, "b");
  BOOST_TEST(post_keyed(c, other, batch, "order-1")->status == 201);
  BOOST_TEST(read_topic(d.events_topic).size() == 5u);
}

BOOST_AUTO_TEST_CASE(bad_keys_get_400_and_write_nothing) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  // (An empty value never reaches logbase: httplib 0.11 drops header lines
  // without a value, so that POST is an unkeyed one; the rule itself is
  // unit-tested.)
  for (std::string bad : {std::string(129, 'k'), std::string{"a b"},
                          std::string{"caf\xc3\xa9"}, std::string{"\x01"}}) {
    auto res = post_keyed(c, id, R"({"type":"a"})", bad);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 400, bad);
    BOOST_TEST(error_code_of(res->body) == "invalid_idempotency_key", bad);
    BOOST_TEST(res->body.find("Idempotency-Key") != std::string::npos, bad);
  }
  auto twice = c.Post(path_of(id, "/events"),
                      httplib::Headers{{"Idempotency-Key", "a"},
                                       {"Idempotency-Key", "b"}},
                      R"({"type":"a"})", "application/json");
  BOOST_TEST(twice->status == 400);
  // The longest key is fine; a bad body with a good key is still a 400,
  // and an unknown account a 404.
  BOOST_TEST(post_keyed(c, id, R"({"type":"a"})", std::string(128, '~'))
               ->status
             == 201);
  BOOST_TEST(post_keyed(c, id, R"({"type":1})", "k")->status == 400);
  BOOST_TEST(post_keyed(c, id + 1000, R"({"type":"a"})", "k")->status == 404);
  BOOST_TEST(read_topic(d.events_topic).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_restart_keeps_the_keys) {
  deployment d;
  int64_t id = 0;
  std::string first, stats;
  const std::string batch = R"([{"type":"a"},{"type":"b"},{"type":"a"}])";
  {
    server s{d};
    auto c = s.client();
    id = create_account(c, "a");
    auto res = post_keyed(c, id, batch, "restart-1");
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 201);
    first = res->body;
    stats = get_ok(c, path_of(id, "/statistics"));
    BOOST_TEST(s.stop() == 0);
  }
  server s{d};
  auto c = s.client();
  auto retry = post_keyed(c, id, batch, "restart-1");
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->status == 201);
  BOOST_TEST(retry->body == first);
  BOOST_TEST(read_topic(d.events_topic).size() == 3u);
  BOOST_TEST(get_ok(c, path_of(id, "/statistics")) == stats);
  BOOST_TEST(post_keyed(c, id, R"({"type":"a"})", "restart-1")->status == 422);
  BOOST_TEST(metric_of(s, "logbase_idempotency_keys") == 1);
}

BOOST_AUTO_TEST_CASE(a_batch_that_landed_in_part_is_completed_by_its_retry) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  // A first attempt landed only its middle event before it was answered
  // 503: as its producer wrote it, header and all.
  auto at = (now_ns() / ns_per_second - 3600) * ns_per_second;
  auto iso = format_instant(at);
  const std::string body = "[{\"type\":\"p0\",\"happenedAt\":\"" + iso
                           + "\"},{\"type\":\"p1\",\"happenedAt\":\"" + iso
                           + "\"},{\"type\":\"p2\"}]";
  auto inputs = parse_events_body(body);
  BOOST_REQUIRE(inputs);
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016" PRIx64, body_hash(*inputs, true));
  produce(d.events_topic, encode_long_key(id),
          "{\"happenedAt\":" + std::to_string(at / ns_per_second)
            + ",\"accountId\":" + std::to_string(id) + ",\"type\":\"p1\"}",
          at / 1'000'000,
          {{"idempotency", std::string{"1 "} + hash + " 1 3 "
                             + std::to_string(now_ms()) + " batch-1"}});
  BOOST_REQUIRE(wait_until([&] {
    return count_of(get_ok(c, path_of(id, "/events")), "\"p1\"") == 1u;
  }, 5s));
  auto retry = post_keyed(c, id, body, "batch-1");
  BOOST_REQUIRE(retry);
  BOOST_TEST(retry->status == 201);
  // The whole batch, in order; only the missing parts were written.
  BOOST_TEST(count_of(retry->body, "\"type\"") == 3u);
  BOOST_TEST(retry->body.find("\"p0\"") < retry->body.find("\"p1\""));
  BOOST_TEST(retry->body.find("\"p1\"") < retry->body.find("\"p2\""));
  auto records = read_topic(d.events_topic);
  BOOST_TEST(records.size() == 3u);
  auto list = get_ok(c, path_of(id, "/events"));
  for (auto type : {"\"p0\"", "\"p1\"", "\"p2\""})
    BOOST_TEST(count_of(list, type) == 1u, type);
  BOOST_TEST(sum_of_counts(get_ok(c, path_of(id, "/statistics"))) == 3);
  // Complete now: a further retry replays it.
  BOOST_TEST(post_keyed(c, id, body, "batch-1")->body == retry->body);
  BOOST_TEST(read_topic(d.events_topic).size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_key_is_forgotten_a_window_after_its_write) {
  deployment d;
  server s{d, {"--idempotency-window-seconds=2"}};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto start = std::chrono::steady_clock::now();
  BOOST_TEST(post_keyed(c, id, R"({"type":"a"})", "short")->status == 201);
  BOOST_TEST(post_keyed(c, id, R"({"type":"a"})", "short")->status == 201);
  BOOST_TEST(read_topic(d.events_topic).size() == 1u);
  // Retried until the key is gone: then it writes once more, and the new
  // write is what later retries answer.
  BOOST_TEST(wait_until([&] {
    post_keyed(c, id, R"({"type":"a"})", "short");
    return read_topic(d.events_topic).size() == 2u;
  }, 10s, 200ms));
  bool after_the_window = std::chrono::steady_clock::now() - start >= 2s;
  BOOST_TEST(after_the_window);
  BOOST_TEST(post_keyed(c, id, R"({"type":"a"})", "short")->status == 201);
  BOOST_TEST(read_topic(d.events_topic).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
