#include <string>

#include <boost/test/unit_test.hpp>

#include "src/deadline_book.hpp"

using namespace logbase;
using namespace std::chrono_literals;

namespace {

using book = deadline_book<std::string>;
const book::time_point t0{};

/// What expires at `now`, in order, space-separated.
std::string expire_at(book& b, book::time_point now) {
  std::string out;
  b.expire(now, [&](std::string& s) { out += (out.empty() ? "" : " ") + s; });
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(deadline_book_test)

BOOST_AUTO_TEST_CASE(an_item_ends_once_taken_or_expired) {
  book b;
  auto a = b.open("a", t0 + 10ms);
  auto c = b.open("c", t0 + 30ms);
  BOOST_CHECK_EQUAL(b.size(), 2u);
  BOOST_REQUIRE(b.find(a) != nullptr);
  BOOST_CHECK_EQUAL(*b.find(a), "a");
  auto taken = b.take(a);
  BOOST_REQUIRE(taken.has_value());
  BOOST_CHECK_EQUAL(*taken, "a");
  BOOST_CHECK(!b.take(a).has_value());
  BOOST_CHECK(b.find(a) == nullptr);
  // a's deadline passes: it was taken, so nothing expires.
  BOOST_CHECK(expire_at(b, t0 + 20ms).empty());
  BOOST_CHECK_EQUAL(expire_at(b, t0 + 30ms), "c");
  BOOST_CHECK(!b.take(c).has_value());
  BOOST_CHECK_EQUAL(b.size(), 0u);
}

BOOST_AUTO_TEST_CASE(expiry_follows_deadlines_not_the_order_of_opening) {
  book b;
  b.open("late", t0 + 50ms);
  b.open("early", t0 + 5ms);
  b.open("middle", t0 + 20ms);
  BOOST_CHECK_EQUAL(expire_at(b, t0 + 20ms), "early middle");
  BOOST_CHECK_EQUAL(b.size(), 1u);
  BOOST_CHECK(expire_at(b, t0 + 49ms).empty());
  BOOST_CHECK_EQUAL(expire_at(b, t0 + 60ms), "late");
}

BOOST_AUTO_TEST_CASE(an_expiry_may_open_new_items) {
  // Expiring a publish unlocks its account, which may start the next one.
  book b;
  b.open("first", t0 + 1ms);
  std::string seen;
  b.expire(t0 + 1ms, [&](std::string& s) {
    seen += s;
    b.open("next", t0 + 100ms);
  });
  BOOST_CHECK_EQUAL(seen, "first");
  BOOST_CHECK_EQUAL(b.size(), 1u);
  BOOST_CHECK_EQUAL(expire_at(b, t0 + 100ms), "next");
}

BOOST_AUTO_TEST_CASE(deadlines_of_ended_items_are_not_kept_for_long) {
  // At 30k reads a second with a 5 s deadline, keeping every deadline until
  // it passed held 150k of them.
  book b;
  auto lasting = b.open("lasting", t0 + 1000ms);
  for (int i = 0; i < 100'000; ++i) {
    auto id = b.open("read", t0 + 5000ms + std::chrono::milliseconds(i));
    BOOST_REQUIRE(b.take(id).has_value());
  }
  BOOST_CHECK_EQUAL(b.size(), 1u);
  BOOST_CHECK_LE(b.deadlines_kept(), 2u * b.size() + 65u);
  // What still waits keeps its deadline.
  BOOST_CHECK(b.find(lasting) != nullptr);
  BOOST_CHECK(expire_at(b, t0 + 999ms).empty());
  BOOST_CHECK_EQUAL(expire_at(b, t0 + 1000ms), "lasting");
}

BOOST_AUTO_TEST_SUITE_END()
