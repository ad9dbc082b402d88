#include <thread>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "src/codec.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

std::string stats_of(httplib::Client& c, int64_t id,
                     const std::string& query = "") {
  return get_ok(c, "/accounts/" + std::to_string(id) + "/statistics" + query);
}

std::string event_at(const std::string& type, const std::string& when) {
  return "{\"type\":\"" + type + "\",\"happenedAt\":\"" + when + "\"}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(stats_api_test)

BOOST_AUTO_TEST_CASE(counts_every_day_by_type_including_late_events) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto day = [](int days_ago) { return iso_now(-24h * days_ago - 1h).substr(0, 10); };
  // Three days, two types; the late ones carry their own day.
  std::string batch = "[" + event_at("login", day(3) + "T01:00:00Z") + ","
                      + event_at("login", day(3) + "T23:59:59.999Z") + ","
                      + event_at("view", day(3) + "T12:00:00Z") + ","
                      + event_at("login", day(1) + "T00:00:00Z") + "]";
  BOOST_TEST(post_events(c, id, batch) == 201);
  BOOST_TEST(post_events(c, id, event_at("login", day(2) + "T08:00:00Z")) == 201);
  auto all = stats_of(c, id);
  BOOST_TEST(all
             == "[{\"day\":\"" + day(3) + "\",\"type\":\"login\",\"count\":2},"
                  "{\"day\":\"" + day(3) + "\",\"type\":\"view\",\"count\":1},"
                  "{\"day\":\"" + day(2) + "\",\"type\":\"login\",\"count\":1},"
                  "{\"day\":\"" + day(1) + "\",\"type\":\"login\",\"count\":1}]");
  BOOST_TEST(sum_of_counts(stats_of(c, id, "?type=login")) == 4);
  BOOST_TEST(sum_of_counts(stats_of(c, id, "?from=" + day(2))) == 2);
  BOOST_TEST(sum_of_counts(stats_of(c, id, "?from=" + day(3) + "&to=" + day(3)))
             == 3);
  for (auto bad : {"?from=2024-13-01", "?to=yesterday", "?type=a%20b", "?q=1"})
    BOOST_TEST(c.Get("/accounts/" + std::to_string(id) + "/statistics" + bad)
                 ->status == 400, bad);
  BOOST_TEST(c.Get("/accounts/123456/statistics")->status == 404);
}

BOOST_AUTO_TEST_CASE(an_answered_event_is_counted_by_the_next_read) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  for (int i = 1; i <= 20; ++i) {
    BOOST_REQUIRE(post_events(c, id, R"({"type":"tick"})") == 201);
    BOOST_TEST(sum_of_counts(stats_of(c, id)) == i);
  }
}

BOOST_AUTO_TEST_CASE(delete_forgets_statistics_and_tombstones_the_changelog) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  BOOST_TEST(post_events(c, id, R"([{"type":"a"},{"type":"b"}])") == 201);
  BOOST_TEST(sum_of_counts(stats_of(c, id)) == 2);
  BOOST_TEST(c.Delete("/accounts/" + std::to_string(id))->status == 204);
  BOOST_TEST(c.Get("/accounts/" + std::to_string(id) + "/statistics")->status
             == 404);
  // The changelog's last word on each of the account's windows: a tombstone.
  std::map<std::string, bool> last_is_tombstone;
  for (int i = 0; i < 50; ++i) {
    last_is_tombstone.clear();
    for (auto& r : read_topic(d.changelog_topic()))
      if (r.key.size() > 12 && r.key.substr(0, 8) == encode_long_key(id))
        last_is_tombstone[r.key] = !r.value.has_value();
    bool all = last_is_tombstone.size() == 2;
    for (auto& [k, t] : last_is_tombstone)
      all = all && t;
    if (all)
      break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE(last_is_tombstone.size() == 2u);
  for (auto& [k, t] : last_is_tombstone)
    BOOST_TEST(t);
  // Re-created: starts from zero, and counts anew.
  BOOST_TEST(c.Put("/accounts/" + std::to_string(id), R"({"name":"b"})",
                   "application/json")->status == 201);
  BOOST_TEST(stats_of(c, id) == "[]");
  BOOST_TEST(post_events(c, id, R"({"type":"a"})") == 201);
  BOOST_TEST(sum_of_counts(stats_of(c, id)) == 1);
  // And after a restart, still so.
  s.stop();
  server again{d};
  auto c2 = again.client();
  BOOST_TEST(sum_of_counts(stats_of(c2, id)) == 1);
}

BOOST_AUTO_TEST_CASE(events_expire_but_statistics_stay_across_restarts) {
  deployment d;
  // The broker's own retention deletes the events during the test.
  auto short_retention = d.with_short_retention(20000);
  int64_t id = 0;
  std::string before;
  {
    server s{d, short_retention};
    auto c = s.client();
    id = create_account(c, "a");
    std::string batch = "[";
    for (int i = 0; i < 7; ++i)
      batch += std::string(i ? "," : "") + event_at(i % 2 ? "x" : "y", iso_now(-15s));
    batch += "]";
    BOOST_TEST(post_events(c, id, batch) == 201);
    before = stats_of(c, id);
    BOOST_TEST(sum_of_counts(before) == 7);
    BOOST_REQUIRE(wait_until_empty(d.events_topic));
    BOOST_TEST(c.Get("/accounts/" + std::to_string(id) + "/events")->body == "[]");
    BOOST_TEST(stats_of(c, id) == before);
  }
  // Restored from the changelog: the events to recount are gone.
  server s{d, short_retention};
  auto c = s.client();
  BOOST_TEST(stats_of(c, id) == before);
}

BOOST_AUTO_TEST_SUITE_END()
