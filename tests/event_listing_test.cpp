#include <boost/test/unit_test.hpp>

#include "src/event_listing.hpp"
#include "event_query_fixtures.hpp"
#include "src/json.hpp"
#include "src/time.hpp"

using namespace logbase;
using namespace logbase::testing;

namespace {

/// The listing must be byte for byte what the events' JSON was before.
void check_same(const event_index& idx, const event_query& q) {
  BOOST_TEST(listing_json(idx, q) == events_json(idx.query(q)));
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_listing_test)

BOOST_AUTO_TEST_CASE(writes_the_api_text) {
  event_index idx;
  idx.add({7, "login", t0, -1}, 0);
  idx.add({7, "view", t0 + 2'000'000, -1}, 1);
  BOOST_TEST(listing_json(idx, all_of(7))
             == R"([{"happenedAt":"2024-05-01T10:00:00Z","accountId":7,"type":"login"},)"
                R"({"happenedAt":"2024-05-01T10:00:00.002Z","accountId":7,"type":"view"}])");
  BOOST_TEST(listing_json(idx, all_of(8)) == "[]");
}

BOOST_AUTO_TEST_CASE(equals_the_json_of_the_query_for_every_filter) {
  event_index idx;
  const char* types[] = {"login", "logout", "view.page", "a:b-c_d"};
  for (int i = 0; i < 300; ++i)
    idx.add({1, types[i % 4],
             t0 + (i % 7) * ns_per_day + i * 1'234'567'891LL
               + (i % 3 == 0 ? 0 : i % 3 == 1 ? 1'000 : 7),
             -1},
            i);
  idx.add({int64_t{1} << 52, "login", t0, -1}, 300);
  check_same(idx, all_of(1));
  check_same(idx, all_of(int64_t{1} << 52));
  check_same(idx, all_of(2)); // no such account
  auto q = all_of(1);
  q.from_ns = t0 + 2 * ns_per_day;
  q.to_ns = t0 + 5 * ns_per_day;
  check_same(idx, q);
  q.type = "view.page";
  check_same(idx, q);
  q.type = "never";
  check_same(idx, q);
  q = all_of(1);
  q.limit = 17;
  check_same(idx, q);
  q.limit = 0;
  check_same(idx, q);
  q = all_of(1);
  q.events_since = 120;
  check_same(idx, q);
  q = all_of(1);
  q.after_offset = 250;
  check_same(idx, q);
}

BOOST_AUTO_TEST_CASE(escapes_foreign_types_and_grows_past_its_estimate) {
  // Types another producer may have written: quotes, controls, long ones.
  event_index idx;
  std::string long_plain(64, 'x');
  std::string long_foreign(300, 'y');
  const std::string types[] = {"a\"b", "back\\slash", "tab\there", "\x01",
                               long_plain, long_foreign, "ok"};
  for (int i = 0; i < 700; ++i)
    idx.add({3, types[i % 7], t0 + i * ns_per_second, -1}, i);
  auto q = all_of(3);
  q.limit = 10000;
  check_same(idx, q);
  q.type = long_foreign;
  check_same(idx, q);
}

BOOST_AUTO_TEST_SUITE_END()
