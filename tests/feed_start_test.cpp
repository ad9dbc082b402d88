#include <boost/test/unit_test.hpp>

#include <vector>

#include "src/feed_start.hpp"

using namespace logbase;

namespace {

assignment part(int32_t p, int64_t start = -2) {
  return assignment{1, p, start};
}

std::vector<int32_t> partitions(const std::vector<assignment>& as) {
  std::vector<int32_t> out;
  for (auto& a : as)
    out.push_back(a.partition);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(feed_start_test)

BOOST_AUTO_TEST_CASE(partitions_with_records_are_read_from_their_first_offset) {
  auto plan = plan_feed_start({part(0), part(1)}, {5, 0}, {100, 3});
  BOOST_TEST(partitions(plan.read_now) == (std::vector<int32_t>{0, 1}));
  BOOST_TEST(plan.read_now[0].start_offset == 5);
  BOOST_TEST(plan.read_now[1].start_offset == 0);
  BOOST_TEST(partitions(plan.ends) == (std::vector<int32_t>{0, 1}));
  BOOST_TEST(plan.ends[0].start_offset == 100);
  BOOST_TEST(plan.ends[1].start_offset == 3);
  BOOST_TEST(plan.read_later.empty());
  BOOST_TEST(plan.at_end.empty());
}

BOOST_AUTO_TEST_CASE(empty_partitions_end_at_once_and_are_read_later) {
  auto plan = plan_feed_start({part(0), part(1), part(2)}, {0, 7, 0},
                              {10, 7, 0});
  BOOST_TEST(partitions(plan.read_now) == (std::vector<int32_t>{0}));
  BOOST_TEST(partitions(plan.read_later) == (std::vector<int32_t>{1, 2}));
  BOOST_TEST(partitions(plan.at_end) == (std::vector<int32_t>{1, 2}));
  // Read later from their end: what is written meanwhile is not skipped.
  BOOST_TEST(plan.read_later[0].start_offset == 7);
  BOOST_TEST(plan.at_end[0].start_offset == 7);
  BOOST_TEST(partitions(plan.ends) == (std::vector<int32_t>{0}));
}

BOOST_AUTO_TEST_CASE(an_explicit_start_at_the_end_has_nothing_to_read) {
  // A checkpoint that already covers the partition.
  auto plan = plan_feed_start({part(0, 42), part(1, 40)}, {0, 0}, {42, 42});
  BOOST_TEST(partitions(plan.at_end) == (std::vector<int32_t>{0}));
  BOOST_TEST(plan.at_end[0].start_offset == 42);
  BOOST_TEST(partitions(plan.read_now) == (std::vector<int32_t>{1}));
  BOOST_TEST(plan.read_now[0].start_offset == 40);
}

BOOST_AUTO_TEST_CASE(unknown_offsets_leave_the_end_to_the_consumer) {
  // The broker did not answer: read from the start; the consumer reports
  // the end when it gets there.
  auto plan = plan_feed_start({part(0), part(1, 9)}, {-1, -1}, {-1, -1});
  BOOST_TEST(partitions(plan.read_now) == (std::vector<int32_t>{0, 1}));
  BOOST_TEST(plan.read_now[0].start_offset == -2);
  BOOST_TEST(plan.read_now[1].start_offset == 9);
  BOOST_TEST(plan.at_end.empty());
  BOOST_TEST(plan.read_later.empty());
  BOOST_TEST(plan.ends.empty());
}

BOOST_AUTO_TEST_SUITE_END()
