#include <boost/test/unit_test.hpp>

#include "src/delivery_spin.hpp"

using namespace logbase;

namespace {

constexpr int sleep_ms = 1000;
constexpr int64_t t0 = 1'000'000'000;

} // namespace

BOOST_AUTO_TEST_SUITE(delivery_spin_test)

BOOST_AUTO_TEST_CASE(the_thread_sleeps_until_a_lone_write_arms_the_window) {
  delivery_spin s;
  BOOST_CHECK_EQUAL(s.poll_timeout_ms(t0, sleep_ms), sleep_ms);
  s.arm(t0);
  BOOST_CHECK_EQUAL(s.poll_timeout_ms(t0, sleep_ms), 0);
  BOOST_CHECK_EQUAL(
    s.poll_timeout_ms(t0 + delivery_spin::window_ns - 1, sleep_ms), 0);
  // No report within the window: it sleeps again.
  BOOST_CHECK_EQUAL(s.poll_timeout_ms(t0 + delivery_spin::window_ns, sleep_ms),
                    sleep_ms);
}

BOOST_AUTO_TEST_CASE(reports_close_the_window_they_were_polled_in) {
  delivery_spin s;
  s.arm(t0);
  auto seen = s.until_ns();
  s.reported(seen);
  BOOST_CHECK_EQUAL(s.poll_timeout_ms(t0 + 1, sleep_ms), sleep_ms);
}

BOOST_AUTO_TEST_CASE(a_write_armed_during_the_poll_keeps_its_window) {
  delivery_spin s;
  s.arm(t0);
  auto seen = s.until_ns();
  // A newer lone write arms again while the thread polls; the reports of
  // the older one must not close the newer one's window.
  s.arm(t0 + 500'000);
  s.reported(seen);
  BOOST_CHECK_EQUAL(s.poll_timeout_ms(t0 + 600'000, sleep_ms), 0);
}

BOOST_AUTO_TEST_SUITE_END()
