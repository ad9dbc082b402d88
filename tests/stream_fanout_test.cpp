#include <boost/test/unit_test.hpp>

#include "src/stream_fanout.hpp"

using namespace logbase;

BOOST_AUTO_TEST_SUITE(stream_fanout_test)

BOOST_AUTO_TEST_CASE(every_reader_gets_every_event_while_it_keeps_up) {
  stream_fanout<int> f;
  f.join(1, 0);
  f.join(2, 5);
  auto [take, drop] = f.deliver(3);
  BOOST_TEST(take.size() == 2u);
  BOOST_TEST(drop.empty());
  BOOST_TEST(f.unacked(1) == 3);
  BOOST_TEST(f.unacked(2) == 8);
  f.ack(2, 8);
  BOOST_TEST(f.unacked(2) == 0);
}

BOOST_AUTO_TEST_CASE(a_slow_reader_is_dropped_without_holding_up_the_others) {
  stream_fanout<int> f;
  f.join(1, 0); // slow: never acks
  f.join(2, 0); // fast: acks everything
  int64_t delivered_to_fast = 0;
  bool dropped = false;
  for (int i = 0; i < 2 * max_unacked_events / 100 && !dropped; ++i) {
    auto [take, drop] = f.deliver(100);
    for (auto r : take)
      if (r == 2) {
        delivered_to_fast += 100;
        f.ack(2, 100);
      }
    dropped = drop.size() == 1u && drop[0] == 1;
  }
  BOOST_TEST(dropped);
  BOOST_TEST(f.readers() == 1u); // the fast one stays
  BOOST_TEST(delivered_to_fast >= max_unacked_events);
  // Memory stays bounded: the slow reader's debt never passed the bound.
  BOOST_TEST(f.unacked(1) == 0);
}

BOOST_AUTO_TEST_CASE(leaving_removes_the_reader) {
  stream_fanout<int> f;
  f.join(1, 0);
  f.leave(1);
  BOOST_TEST(f.readers() == 0u);
  BOOST_TEST(f.deliver(1).first.empty());
}

BOOST_AUTO_TEST_SUITE_END()
