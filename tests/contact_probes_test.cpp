#include <boost/test/unit_test.hpp>

#include <limits>

#include "src/contact_probes.hpp"

using namespace logbase;

BOOST_AUTO_TEST_SUITE(contact_probes_test)

// Times in milliseconds for reading: interval 1000, hurry 500, cap 3.

BOOST_AUTO_TEST_CASE(answered_questions_go_once_per_interval) {
  contact_probes p{1000, 500, 3};
  p.asked(1000);
  BOOST_TEST(p.next_ask_at() == 1500); // outstanding: the next goes sooner
  p.answered(1000, true);
  BOOST_TEST(p.last_contact_ns() == 1000); // as of the asking, not the answer
  BOOST_TEST(p.next_ask_at() == 2000);
  BOOST_TEST(p.in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(a_pause_of_the_broker_dates_contact_to_its_end) {
  contact_probes p{1000, 500, 3};
  p.asked(1000);
  p.answered(1000, true);
  // The broker stalls from 1900 to 4200: questions at 2000, 2500, 3000
  // wait in it; the cap holds the fourth back.
  p.asked(2000);
  p.asked(2500);
  p.asked(3000);
  BOOST_TEST(p.next_ask_at() == std::numeric_limits<int64_t>::max());
  // They come back in order once it runs again.
  p.answered(2000, true);
  BOOST_TEST(p.next_ask_at() == 3500);
  p.answered(2500, true);
  p.answered(3000, true);
  BOOST_TEST(p.last_contact_ns() == 3000);
  // With one question at a time the newest contact would be 2000 at best.
}

BOOST_AUTO_TEST_CASE(errors_and_late_old_answers_do_not_move_contact) {
  contact_probes p{1000, 500, 3};
  p.asked(1000);
  p.asked(1500);
  p.answered(1500, true);
  p.answered(1000, true); // older, answered later
  BOOST_TEST(p.last_contact_ns() == 1500);
  p.asked(2500);
  p.answered(2500, false); // timed out or refused
  BOOST_TEST(p.last_contact_ns() == 1500);
  BOOST_TEST(p.in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(a_fresh_join_is_contact) {
  contact_probes p{1000, 500, 3};
  p.contact(7000);
  BOOST_TEST(p.last_contact_ns() == 7000);
  p.asked(8000);
  p.answered(8000, false);
  BOOST_TEST(p.last_contact_ns() == 7000);
}

BOOST_AUTO_TEST_SUITE_END()
