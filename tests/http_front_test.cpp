// Deterministic tests of the HTTP front actor's protocols: CAF's test
// coordinator runs the real front, account table, event log and statistics
// actors one message at a time, on a fake Kafka bridge (an in-memory log
// per partition), so that races are arranged, not hoped for. The broker
// suites remain the contract tests.
#define BOOST_TEST_MODULE logbase_actors
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"

using namespace logbase;
using namespace logbase::test;

// One suite per file (its name is the file's); inside it, the tests that
// need the fixture's actors and those of the state alone.
BOOST_AUTO_TEST_SUITE(http_front_test)

BOOST_FIXTURE_TEST_SUITE(actors, fixture)

BOOST_AUTO_TEST_CASE(a_post_is_answered_once_durable_indexed_and_counted) {
  node_stores node{sys, cfg, layout};
  auto front = front_on(node);
  BOOST_TEST(answer(send(front, ready_atom::value)).reply.status == 200);
  create_account(front, 4, "a");
  // The statistics do not see the event yet: the POST must wait for them.
  node.kafka->held.insert(caf::actor_cast<caf::actor_addr>(node.stores.stats));
  auto post = send(front, publish_atom::value, int64_t{4},
                   one_event(4, "login"), false, std::string{},
                   uint64_t{0});
  BOOST_TEST(node.kafka->records_on(topic::events) == 1u);
  BOOST_TEST(!answered(post));
  node.kafka->held.clear();
  caf::anon_send(node.bridge, subscribe_atom::value,
                 std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(node.stores.stats));
  sched.run();
  auto r = answer(post);
  BOOST_TEST(r.reply.status == 201);
  BOOST_TEST(r.reply.body.find("\"type\":\"login\"") != std::string::npos);
  // Read-your-writes: the count and the listing are there.
  stats_query sq;
  sq.account_id = 4;
  auto counts = answer(send(front, query_atom::value, sq)).reply;
  BOOST_TEST(counts.status == 200);
  BOOST_TEST(counts.body.find("\"count\":1") != std::string::npos);
  event_query eq;
  eq.account_id = 4;
  auto listed = answer(send(front, query_atom::value, eq)).reply;
  BOOST_TEST(listed.body.find("login") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_post_for_an_unknown_account_is_404_and_writes_nothing) {
  node_stores node{sys, cfg, layout};
  auto front = front_on(node);
  auto r = answer(send(front, publish_atom::value, int64_t{9},
                       one_event(9, "login"), false, std::string{},
                       uint64_t{0}));
  BOOST_TEST(r.reply.status == 404);
  BOOST_TEST(r.reply.body.find("account_not_found") != std::string::npos);
  BOOST_TEST(node.kafka->records_on(topic::events) == 0u);
}

BOOST_AUTO_TEST_CASE(a_delete_after_a_post_waits_and_then_hides_its_events) {
  node_stores node{sys, cfg, layout};
  auto front = front_on(node);
  create_account(front, 6, "b");
  // The event log does not read its events back yet: the POST is in flight.
  auto log_addr = caf::actor_cast<caf::actor_addr>(node.stores.events);
  node.kafka->held.insert(log_addr);
  auto post = send(front, publish_atom::value, int64_t{6},
                   one_event(6, "login"), false, std::string{},
                   uint64_t{0});
  auto del = send(front, delete_atom::value, int64_t{6}, int64_t{0});
  BOOST_TEST(!answered(post));
  BOOST_TEST(!answered(del));
  // The delete waits for the POST: no tombstone was written yet.
  BOOST_TEST(node.kafka->records_on(topic::accounts) == 1u);
  node.kafka->held.clear();
  caf::anon_send(node.bridge, subscribe_atom::value,
                 std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(node.stores.events));
  sched.run();
  BOOST_TEST(answer(post).reply.status == 201);
  BOOST_TEST(answer(del).reply.status == 204);
  BOOST_TEST(node.kafka->records_on(topic::accounts) == 2u);
  // The delete hides the events it let through.
  event_query eq;
  eq.account_id = 6;
  BOOST_TEST(answer(send(front, query_atom::value, eq)).reply.status == 404);
}

BOOST_AUTO_TEST_CASE(a_post_after_a_delete_gets_404_and_writes_nothing) {
  node_stores node{sys, cfg, layout};
  auto front = front_on(node);
  create_account(front, 8, "c");
  // Both arrive before either is answered; the delete came first.
  auto accounts_addr = caf::actor_cast<caf::actor_addr>(node.stores.accounts);
  node.kafka->held.insert(accounts_addr);
  auto del = send(front, delete_atom::value, int64_t{8}, int64_t{0});
  auto post = send(front, publish_atom::value, int64_t{8},
                   one_event(8, "login"), false, std::string{},
                   uint64_t{0});
  BOOST_TEST(!answered(del));
  BOOST_TEST(!answered(post));
  node.kafka->held.clear();
  caf::anon_send(node.bridge, subscribe_atom::value,
                 std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(node.stores.accounts));
  sched.run();
  BOOST_TEST(answer(del).reply.status == 204);
  BOOST_TEST(answer(post).reply.status == 404);
  BOOST_TEST(node.kafka->records_on(topic::events) == 0u);
}

BOOST_AUTO_TEST_CASE(a_post_never_indexed_gets_503_and_unlocks_its_account) {
  node_stores node{sys, cfg, layout};
  auto front = front_on(node);
  create_account(front, 2, "d");
  // Durable, but the event log never reads it back (as when the broker
  // goes away right after the write).
  node.kafka->held.insert(caf::actor_cast<caf::actor_addr>(node.stores.events));
  auto post = send(front, publish_atom::value, int64_t{2},
                   one_event(2, "login"), false, std::string{},
                   uint64_t{0});
  auto del = send(front, delete_atom::value, int64_t{2}, int64_t{0});
  BOOST_TEST(node.kafka->records_on(topic::events) == 1u);
  // Just before the account table's deadline (the write timeout + 2 s):
  // still waiting, and the DELETE behind it too.
  auto deadline = std::chrono::milliseconds{cfg.write_timeout_ms + 2000};
  sched.advance_time(deadline - std::chrono::milliseconds{200});
  sched.run();
  BOOST_TEST(!answered(post));
  BOOST_TEST(!answered(del));
  sched.advance_time(std::chrono::milliseconds{300});
  sched.run();
  auto r = answer(post).reply;
  BOOST_TEST(r.status == 503);
  BOOST_TEST(r.body.find("broker_unavailable") != std::string::npos);
  // The account was unlocked: the DELETE went ahead.
  BOOST_TEST(answer(del).reply.status == 204);
  BOOST_TEST(node.kafka->records_on(topic::accounts) == 2u);
}

BOOST_AUTO_TEST_CASE(requests_for_a_peers_account_go_to_the_peer) {
  node_stores here{sys, cfg, layout};
  node_stores peer{sys, cfg, layout};
  keep(here);
  keep(peer);
  auto router = keep(sys.spawn(fake_router, here.stores, peer.stores));
  auto front = front_of(here.stores, router);
  sched.run();
  BOOST_TEST(answer(send(front, put_atom::value, int64_t{3}, std::string{"odd"},
                         int64_t{0}))
               .reply.status
             == 201);
  BOOST_TEST(peer.kafka->records_on(topic::accounts) == 1u);
  BOOST_TEST(here.kafka->records_on(topic::accounts) == 0u);
  BOOST_TEST(answer(send(front, get_atom::value, int64_t{3})).reply.status
             == 200);
  BOOST_TEST(answer(send(front, publish_atom::value, int64_t{3},
                         one_event(3, "x"), false, std::string{},
                         uint64_t{0}))
               .reply.status
             == 201);
  BOOST_TEST(peer.kafka->records_on(topic::events) == 1u);
  BOOST_TEST(answer(send(front, get_atom::value, int64_t{2})).reply.status
             == 404);
}

BOOST_AUTO_TEST_CASE(an_owner_that_never_answers_gets_503_timeout) {
  node_stores here{sys, cfg, layout};
  keep(here);
  auto hole = keep(sys.spawn(black_hole));
  store_actors gone{caf::actor_cast<account_table_actor>(hole),
                    caf::actor_cast<event_log_actor>(hole),
                    caf::actor_cast<stats_actor>(hole)};
  auto router = keep(sys.spawn(fake_router, here.stores, gone));
  auto front = front_of(here.stores, router);
  sched.run();
  auto get = send(front, get_atom::value, int64_t{5});
  BOOST_TEST(!answered(get));
  sched.advance_time(std::chrono::seconds(4));
  sched.run();
  BOOST_TEST(!answered(get));
  sched.advance_time(std::chrono::seconds(2));
  sched.run();
  auto r = answer(get).reply;
  BOOST_TEST(r.status == 503);
  BOOST_TEST(r.body.find("\"timeout\"") != std::string::npos);
  bool retry_after = false;
  for (auto& [name, value] : r.headers)
    retry_after = retry_after || name == "Retry-After";
  BOOST_TEST(retry_after);
}

BOOST_AUTO_TEST_SUITE_END()

// -- the front's deadline book, without actors ---------------------------------

BOOST_AUTO_TEST_SUITE(state)

BOOST_AUTO_TEST_CASE(answered_requests_leave_nothing_behind) {
  http_front_state st;
  auto t0 = caf::actor_clock::time_point{};
  auto a = std::make_shared<one_shot<front_reply>>();
  auto id = st.open(a, http_front_state::kind::read, t0);
  BOOST_TEST(st.in_flight() == 1u);
  st.finish(id, front_reply{json_response(200, "{}"), std::nullopt});
  BOOST_TEST(st.in_flight() == 0u);
  // Its deadline passing later answers nothing twice.
  BOOST_TEST(st.expire(t0 + std::chrono::seconds(60)) == 0u);
}

BOOST_AUTO_TEST_CASE(requests_past_their_deadline_get_503_and_late_answers_are_dropped) {
  http_front_state st;
  auto t0 = caf::actor_clock::time_point{};
  auto read = std::make_shared<one_shot<front_reply>>();
  auto write = std::make_shared<one_shot<front_reply>>();
  auto r = st.open(read, http_front_state::kind::read, t0);
  st.open(write, http_front_state::kind::write, t0);
  BOOST_TEST(st.expire(t0 + st.read_deadline) == 1u);
  auto got = read->wait_until(std::chrono::steady_clock::now());
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->reply.status == 503);
  st.finish(r, front_reply{json_response(200, "late"), std::nullopt});
  BOOST_TEST(st.in_flight() == 1u);
  BOOST_TEST(st.expire(t0 + st.write_deadline) == 1u);
  BOOST_TEST(st.in_flight() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
