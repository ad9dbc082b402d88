#include <atomic>
#include <future>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "src/codec.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

std::string events_of(httplib::Client& c, int64_t id,
                      const std::string& query = "") {
  return get_ok(c, "/accounts/" + std::to_string(id) + "/events" + query);
}

} // namespace

BOOST_AUTO_TEST_SUITE(events_api_test)

BOOST_AUTO_TEST_CASE(published_events_are_listed_in_order_with_filters) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto t1 = iso_now(-3h);
  auto t2 = iso_now(-2h);
  auto t3 = iso_now(-1h);
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 201);
  auto res = c.Post("/accounts/" + std::to_string(id) + "/events",
                    "[{\"type\":\"view\",\"happenedAt\":\"" + t2
                      + "\"},{\"type\":\"login\",\"happenedAt\":\"" + t1
                      + "\"},{\"type\":\"view\",\"happenedAt\":\"" + t3
                      + "\"}]",
                    "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 201);
  BOOST_TEST(count_of(res->body, "\"accountId\":" + std::to_string(id)) == 3u);
  BOOST_TEST(res->body.front() == '[');
  // Read-your-writes: the list right after the 201 has them, by happenedAt.
  auto all = events_of(c, id);
  BOOST_TEST(count_of(all, "\"type\"") == 4u);
  BOOST_TEST(all.find(t1) < all.find(t2));
  BOOST_TEST(all.find(t2) < all.find(t3));
  BOOST_TEST(count_of(events_of(c, id, "?type=view"), "\"view\"") == 2u);
  BOOST_TEST(count_of(events_of(c, id, "?limit=1"), "\"type\"") == 1u);
  BOOST_TEST(count_of(events_of(c, id, "?from=" + t2 + "&to=" + t3), "\"type\"")
             == 1u);
  for (auto bad : {"?from=yesterday", "?limit=0", "?type=a%20b", "?x=1"}) {
    auto r = c.Get("/accounts/" + std::to_string(id) + "/events" + bad);
    BOOST_TEST(r->status == 400, bad);
  }
}

BOOST_AUTO_TEST_CASE(unknown_and_deleted_accounts_get_404) {
  deployment d;
  server s{d};
  auto c = s.client();
  BOOST_TEST(post_events(c, 99, R"({"type":"login"})") == 404);
  BOOST_TEST(c.Get("/accounts/99/events")->status == 404);
  auto id = create_account(c, "a");
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 201);
  BOOST_TEST(c.Delete("/accounts/" + std::to_string(id))->status == 204);
  BOOST_TEST(c.Get("/accounts/" + std::to_string(id) + "/events")->status == 404);
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 404);
  // Re-created with the same id: no events from before.
  BOOST_TEST(c.Put("/accounts/" + std::to_string(id), R"({"name":"b"})",
                   "application/json")->status == 201);
  BOOST_TEST(events_of(c, id) == "[]");
  BOOST_TEST(post_events(c, id, R"({"type":"fresh"})") == 201);
  auto list = events_of(c, id);
  BOOST_TEST(count_of(list, "\"type\"") == 1u);
  BOOST_TEST(count_of(list, "fresh") == 1u);
}

BOOST_AUTO_TEST_CASE(bad_events_get_4xx_and_write_nothing) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  struct bad {
    std::string body;
    int status;
    std::string code;
  };
  std::string big = "[";
  for (int i = 0; i <= 10000; ++i)
    big += std::string(i ? "," : "") + R"({"type":"a"})";
  big += "]";
  std::vector<bad> cases{
    {"{", 400, "malformed_json"},
    {"[]", 400, "invalid_body"},
    {R"({"kind":"login"})", 400, "invalid_body"},
    {R"({"type":"login","accountId":5})", 400, "invalid_body"},
    {R"({"type":""})", 422, "invalid_event_type"},
    {R"({"type":"has space"})", 422, "invalid_event_type"},
    {"{\"type\":\"" + std::string(65, 't') + "\"}", 422, "invalid_event_type"},
    {"{\"type\":\"a\",\"happenedAt\":\"" + iso_now(-24h * 31) + "\"}", 422,
     "happened_at_out_of_range"},
    {"{\"type\":\"a\",\"happenedAt\":\"" + iso_now(10min) + "\"}", 422,
     "happened_at_out_of_range"},
    {"[{\"type\":\"ok\"},{\"type\":\"a\",\"happenedAt\":\"" + iso_now(10min)
       + "\"}]",
     422, "happened_at_out_of_range"},
    {R"({"type":"a","happenedAt":"nonsense"})", 400, "invalid_body"},
    {big, 413, "payload_too_large"},
    {std::string(1024 * 1024 + 10, ' ') + "{}", 413, "payload_too_large"},
  };
  for (auto& b : cases) {
    auto res = c.Post("/accounts/" + std::to_string(id) + "/events", b.body,
                      "application/json");
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == b.status, b.body.substr(0, 60));
    BOOST_TEST(error_code_of(res->body) == b.code, b.body.substr(0, 60));
  }
  BOOST_TEST(events_of(c, id) == "[]");
  BOOST_TEST(read_topic(d.events_topic).empty());
}

BOOST_AUTO_TEST_CASE(events_on_the_topic_look_like_the_originals) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto t = iso_now(-1h);
  BOOST_TEST(post_events(c, id, "{\"type\":\"x\",\"happenedAt\":\"" + t + "\"}")
             == 201);
  auto records = read_topic(d.events_topic);
  BOOST_REQUIRE(!records.empty());
  auto& r = records.back();
  BOOST_TEST(r.key == encode_long_key(id));
  BOOST_TEST(r.partition == partition_for(encode_long_key(id), 4));
  simdjson::dom::parser p;
  auto doc = p.parse(*r.value);
  BOOST_TEST(int64_t(doc["accountId"]) == id);
  BOOST_TEST(std::string_view(doc["type"]) == "x");
  BOOST_TEST(doc["happenedAt"].is_number()); // epoch seconds, as the original
  // Record time is happenedAt.
  BOOST_TEST(r.timestamp_ms / 1000 == int64_t(double(doc["happenedAt"])));
}

BOOST_AUTO_TEST_CASE(events_produced_by_others_are_listed) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  // As the Kotlin app wrote them: epoch seconds with a fraction...
  produce(d.events_topic, encode_long_key(id),
          "{\"happenedAt\":" + std::to_string(now_s - 60)
            + ".123456789,\"accountId\":" + std::to_string(id)
            + ",\"type\":\"legacy\"}",
          (now_s - 60) * 1000);
  // ...or an ISO string; and garbage, which is skipped and counted.
  produce(d.events_topic, encode_long_key(id),
          "{\"happenedAt\":\"" + iso_now(-30s) + "\",\"accountId\":"
            + std::to_string(id) + ",\"type\":\"iso\"}");
  produce(d.events_topic, encode_long_key(id), "garbage");
  std::string list;
  wait_until([&] {
    list = events_of(c, id);
    return count_of(list, "\"type\"") == 2u;
  }, 5s);
  BOOST_TEST(count_of(list, "legacy") == 1u);
  BOOST_TEST(count_of(list, ".123456789Z") == 1u);
  BOOST_TEST(count_of(list, "\"iso\"") == 1u);
  // The garbage came last: once it is read, it has been counted.
  const std::string undecodable =
    "logbase_undecodable_records_total{topic=\"events\"}";
  wait_until([&] { return metric_of(s, undecodable) != 0; }, 5s);
  BOOST_TEST(metric_of(s, undecodable) == 1);
  BOOST_TEST(count_of(events_of(c, id), "\"type\"") == 2u);
}

BOOST_AUTO_TEST_CASE(a_busy_writer_elsewhere_is_read_as_fast_as_it_writes) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 201);
  // Another writer at volume (an import, the original app while both
  // run), all on this account's partition, which the server follows.
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  const int64_t imported = 200'000;
  std::vector<std::pair<std::string, std::string>> kvs(
    imported, {encode_long_key(id),
               "{\"happenedAt\":" + std::to_string(now_s)
                 + ".5,\"accountId\":" + std::to_string(id)
                 + ",\"type\":\"import\"}"});
  produce_many(d.events_topic, kvs);
  // A followed partition used to rest 100 ms after every fetch, however
  // much was left: this backlog took minutes, and POSTs meanwhile waited
  // for the index to reach their own records. Read at the consumer's pace,
  // it takes a second or two; the deadline is far above that.
  auto indexed = [&] { return metric_of(s, "logbase_events_indexed"); };
  BOOST_TEST(wait_until([&] { return indexed() == imported + 1; }, 20s),
             "indexed " << indexed() << " of " << imported + 1);
  BOOST_TEST(post_events(c, id, R"({"type":"after"})") == 201);
  BOOST_TEST(count_of(events_of(c, id, "?type=after"), "\"after\"") == 1u);
}

BOOST_AUTO_TEST_CASE(its_own_writes_are_not_fetched_back) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  std::string batch = "[";
  for (int i = 0; i < 1000; ++i)
    batch += std::string(i ? "," : "") + R"({"type":"own"})";
  batch += "]";
  const int64_t posts = 60;
  for (int i = 0; i < posts; ++i)
    BOOST_TEST_REQUIRE(post_events(c, id, batch) == 201);
  // Whatever a fetch still brings comes within a rest (100 ms).
  std::this_thread::sleep_for(1s);
  auto published = metric_of(s, "logbase_events_published_total");
  auto fetched_back = metric_of(s, "logbase_records_fetched_back_total");
  BOOST_TEST_MESSAGE("own writes fetched back: " << fetched_back << " of "
                                                  << published);
  BOOST_TEST(published == posts * 1000);
  // The index and the counts have every write from its delivery report.
  // A followed partition's consumer used to fetch them all again, a rest's
  // worth at a time, for each reader of the topic; now it starts each
  // fetch past them, and only what the broker appended before the report
  // came back (about one POST per rest) is fetched again.
  BOOST_TEST(fetched_back < published / 2,
             fetched_back << " of " << published << " fetched back");
  BOOST_TEST(count_of(events_of(c, id, "?type=own&limit=1"), "\"own\"")
             == 1u);
}

BOOST_AUTO_TEST_CASE(a_restart_rebuilds_the_index_from_the_topic) {
  deployment d;
  std::string before;
  int64_t id = 0;
  {
    server s{d};
    auto c = s.client();
    id = create_account(c, "a");
    for (int i = 0; i < 20; ++i)
      BOOST_TEST(post_events(c, id, "{\"type\":\"t" + std::to_string(i % 3)
                                      + "\"}")
                 == 201);
    before = events_of(c, id);
    BOOST_TEST(s.stop() == 0);
  }
  server s{d};
  auto c = s.client();
  BOOST_TEST(events_of(c, id) == before);
}

BOOST_AUTO_TEST_CASE(the_broker_deleting_old_segments_empties_the_list) {
  deployment d;
  // The broker's own retention deletes the events during the test.
  auto short_retention = d.with_short_retention(20000);
  int64_t id = 0;
  {
    server s{d, short_retention};
    auto c = s.client();
    id = create_account(c, "a");
    std::string batch = "[";
    for (int i = 0; i < 5; ++i)
      batch += std::string(i ? "," : "") + "{\"type\":\"short\",\"happenedAt\":\""
               + iso_now(-15s) + "\"}";
    batch += "]";
    BOOST_TEST(post_events(c, id, batch) == 201);
    BOOST_TEST(count_of(events_of(c, id), "\"short\"") == 5u);
    // The broker deletes them (not only logbase's horizon).
    BOOST_TEST(wait_until_empty(d.events_topic));
    BOOST_TEST(events_of(c, id) == "[]");
    // Their memory is freed at the next expiry tick (every 2 s here).
    wait_until([&] { return metric_of(s, "logbase_events_indexed") == 0; }, 5s);
    BOOST_TEST(metric_of(s, "logbase_events_indexed") == 0);
  }
  server s{d, short_retention};
  auto c = s.client();
  BOOST_TEST(events_of(c, id) == "[]");
}

BOOST_AUTO_TEST_SUITE_END()
