#include <boost/test/unit_test.hpp>

#include <vector>

#include "src/follow_schedule.hpp"

using namespace logbase;
using key = follow_schedule::key;

BOOST_AUTO_TEST_SUITE(follow_schedule_test)

BOOST_AUTO_TEST_CASE(a_partition_being_restored_is_never_paused) {
  follow_schedule s{100};
  BOOST_TEST(!s.pause_after(key{1, 0}, 0));
  BOOST_TEST(s.wait_ns(0) == -1);
  BOOST_TEST(s.due(1'000).empty());
}

BOOST_AUTO_TEST_CASE(a_followed_partition_pauses_once_per_interval) {
  follow_schedule s{100};
  s.reached_end(key{1, 0});
  BOOST_TEST(s.pause_after(key{1, 0}, 1'000));
  // Already paused: what was fetched before the pause changes nothing.
  BOOST_TEST(!s.pause_after(key{1, 0}, 1'010));
  BOOST_TEST(s.wait_ns(1'040) == 60);
  BOOST_TEST(s.due(1'099).empty());
  BOOST_TEST((s.due(1'100) == std::vector<key>{key{1, 0}}));
  BOOST_TEST(s.wait_ns(1'100) == -1);
  // Fetching again: the next thing that comes pauses it again.
  BOOST_TEST(s.pause_after(key{1, 0}, 1'150));
  BOOST_TEST(s.wait_ns(1'150) == 100);
}

BOOST_AUTO_TEST_CASE(the_earliest_paused_partition_sets_the_wait) {
  follow_schedule s{100};
  s.reached_end(key{1, 0});
  s.reached_end(key{2, 3});
  s.pause_after(key{2, 3}, 50);
  s.pause_after(key{1, 0}, 20);
  BOOST_TEST(s.wait_ns(30) == 90);
  BOOST_TEST((s.due(120) == std::vector<key>{key{1, 0}}));
  BOOST_TEST(s.wait_ns(120) == 30);
  BOOST_TEST((s.due(500) == std::vector<key>{key{2, 3}}));
}

BOOST_AUTO_TEST_CASE(a_forgotten_partition_is_neither_paused_nor_resumed) {
  follow_schedule s{100};
  s.reached_end(key{1, 0});
  s.pause_after(key{1, 0}, 0);
  s.forget(key{1, 0});
  BOOST_TEST(s.due(1'000).empty());
  BOOST_TEST(s.wait_ns(0) == -1);
  BOOST_TEST(!s.pause_after(key{1, 0}, 2'000));
}

BOOST_AUTO_TEST_SUITE_END()
