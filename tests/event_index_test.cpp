#include <boost/test/unit_test.hpp>

#include "src/event_index.hpp"
#include "event_query_fixtures.hpp"
#include "src/time.hpp"

using namespace logbase;
using namespace logbase::testing;

BOOST_AUTO_TEST_SUITE(event_index_test)

BOOST_AUTO_TEST_CASE(lists_by_time_then_arrival) {
  event_index idx;
  idx.add({1, "b", t0 + 2, -1}, 10);
  idx.add({1, "a", t0 + 1, -1}, 11); // late: sorts before
  idx.add({1, "c", t0 + 2, -1}, 12); // same time: after by arrival
  idx.add({2, "x", t0, -1}, 13);
  auto es = idx.query(all_of(1));
  BOOST_REQUIRE(es.size() == 3u);
  BOOST_TEST(es[0].type == "a");
  BOOST_TEST(es[1].type == "b");
  BOOST_TEST(es[2].type == "c");
  BOOST_TEST(es[2].offset == 12);
  BOOST_TEST(idx.size() == 4u);
}

BOOST_AUTO_TEST_CASE(filters_by_range_type_limit_and_incarnation) {
  event_index idx;
  for (int i = 0; i < 10; ++i)
    idx.add({1, i % 2 ? "odd" : "even", t0 + i * ns_per_second, -1}, i);
  auto q = all_of(1);
  q.from_ns = t0 + 2 * ns_per_second;
  q.to_ns = t0 + 6 * ns_per_second;
  BOOST_TEST(idx.query(q).size() == 4u); // 2,3,4,5: `to` is exclusive
  q.type = "odd";
  BOOST_TEST(idx.query(q).size() == 2u);
  q = all_of(1);
  q.limit = 3;
  BOOST_TEST(idx.query(q).size() == 3u);
  q = all_of(1);
  q.events_since = 8; // a re-created account sees only its own events
  BOOST_TEST(idx.query(q).size() == 2u);
  q = all_of(1);
  q.after_offset = 6; // SSE resume
  BOOST_TEST(idx.query(q).size() == 3u);
  q = all_of(1);
  q.type = "never";
  BOOST_TEST(idx.query(q).empty());
}

BOOST_AUTO_TEST_CASE(expiry_and_forget_free_entries) {
  event_index idx;
  for (int i = 0; i < 100; ++i)
    idx.add({i % 3, "t", t0 + i, -1}, i);
  BOOST_TEST(idx.expire(t0 + 50) == 50u);
  BOOST_TEST(idx.size() == 50u);
  BOOST_TEST(idx.query(all_of(0)).front().happened_at_ns >= t0 + 50);
  idx.forget(0);
  BOOST_TEST(idx.query(all_of(0)).empty());
  BOOST_TEST(idx.size() < 50u);
}

BOOST_AUTO_TEST_CASE(an_entry_costs_24_bytes) {
  event_index idx;
  for (int i = 0; i < 1024; ++i)
    idx.add({1, "login", t0 + i, -1}, i);
  BOOST_TEST(idx.entry_bytes() >= 1024u * 24u);
  BOOST_TEST(idx.entry_bytes() <= 2048u * 24u); // vector slack at most 2x
}

BOOST_AUTO_TEST_SUITE_END()
