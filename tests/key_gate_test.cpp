#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "src/key_gate.hpp"

using namespace logbase;
using mode = key_gate::mode;

BOOST_AUTO_TEST_SUITE(key_gate_test)

BOOST_AUTO_TEST_CASE(publishes_on_one_account_run_side_by_side) {
  key_gate gate;
  std::vector<std::string> ran;
  gate.enter(1, mode::shared, [&] { ran.push_back("p1"); });
  gate.enter(1, mode::shared, [&] { ran.push_back("p2"); });
  BOOST_TEST(ran.size() == 2u);
  BOOST_TEST(gate.running(1) == 2);
  gate.leave(1, mode::shared);
  gate.leave(1, mode::shared);
  BOOST_TEST(gate.busy_keys() == 0u);
}

BOOST_AUTO_TEST_CASE(a_delete_after_a_publish_waits_until_it_is_answered) {
  key_gate gate;
  std::vector<std::string> ran;
  gate.enter(7, mode::shared, [&] { ran.push_back("publish"); });
  gate.enter(7, mode::exclusive, [&] { ran.push_back("delete"); });
  BOOST_TEST(ran == (std::vector<std::string>{"publish"}));
  gate.leave(7, mode::shared);
  BOOST_TEST(ran == (std::vector<std::string>{"publish", "delete"}));
  BOOST_TEST(gate.running(7) == 1);
  gate.leave(7, mode::exclusive);
  BOOST_TEST(gate.busy_keys() == 0u);
}

BOOST_AUTO_TEST_CASE(a_publish_after_a_delete_starts_only_once_it_is_done) {
  key_gate gate;
  std::vector<std::string> ran;
  gate.enter(7, mode::exclusive, [&] { ran.push_back("delete"); });
  gate.enter(7, mode::shared, [&] { ran.push_back("publish1"); });
  gate.enter(7, mode::shared, [&] { ran.push_back("publish2"); });
  BOOST_TEST(ran.size() == 1u);
  gate.leave(7, mode::exclusive);
  // Both waiting publishes start together once the write is done.
  BOOST_TEST(ran == (std::vector<std::string>{"delete", "publish1",
                                              "publish2"}));
  BOOST_TEST(gate.running(7) == 2);
}

BOOST_AUTO_TEST_CASE(a_publish_never_overtakes_a_waiting_write) {
  key_gate gate;
  std::vector<std::string> ran;
  gate.enter(3, mode::shared, [&] { ran.push_back("p1"); });
  gate.enter(3, mode::exclusive, [&] { ran.push_back("patch"); });
  gate.enter(3, mode::shared, [&] { ran.push_back("p2"); });
  BOOST_TEST(ran == (std::vector<std::string>{"p1"}));
  gate.leave(3, mode::shared);
  BOOST_TEST(ran == (std::vector<std::string>{"p1", "patch"}));
  gate.leave(3, mode::exclusive);
  BOOST_TEST(ran == (std::vector<std::string>{"p1", "patch", "p2"}));
}

BOOST_AUTO_TEST_CASE(keys_do_not_wait_for_each_other) {
  key_gate gate;
  int ran = 0;
  gate.enter(1, mode::exclusive, [&] { ++ran; });
  gate.enter(2, mode::exclusive, [&] { ++ran; });
  BOOST_TEST(ran == 2);
}

BOOST_AUTO_TEST_CASE(a_command_that_finishes_at_once_lets_the_next_start) {
  key_gate gate;
  std::vector<int> ran;
  gate.enter(5, mode::exclusive, [&] { ran.push_back(1); });
  // The second write finishes synchronously (say, a failed precondition).
  gate.enter(5, mode::exclusive, [&] {
    ran.push_back(2);
    gate.leave(5, mode::exclusive);
  });
  gate.enter(5, mode::exclusive, [&] { ran.push_back(3); });
  gate.leave(5, mode::exclusive);
  BOOST_TEST(ran == (std::vector<int>{1, 2, 3}));
  gate.leave(5, mode::exclusive);
  BOOST_TEST(gate.busy_keys() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
