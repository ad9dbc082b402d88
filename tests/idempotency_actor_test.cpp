// Safe retries (Idempotency-Key) through the real front, account table and
// event log on the fake bridge: the races (a retry while the first attempt
// is in flight, a batch that landed in part) are arranged, not hoped for.
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

std::vector<event> batch_of(int64_t account, std::vector<std::string> types,
                            int64_t at_ns) {
  std::vector<event> out;
  for (auto& t : types)
    out.push_back(event{account, t, at_ns, -1});
  return out;
}

struct keyed_fixture : fixture {
  node_stores node{sys, cfg, layout};
  http_front_actor front;

  keyed_fixture() {
    keep(node);
    front = front_of(node.stores);
    sched.run();
  }

  void create(int64_t id) {
    BOOST_REQUIRE(answer(send(front, put_atom::value, id, std::string{"a"},
                              int64_t{0}))
                    .reply.status
                  == 201);
  }

  reply_slot post(int64_t id, std::vector<event> events,
                  const std::string& key, uint64_t hash, bool batch = true) {
    return send(front, publish_atom::value, id, std::move(events), batch,
                key, hash);
  }

  std::string listing(int64_t id) {
    event_query q;
    q.account_id = id;
    auto r = answer(send(front, query_atom::value, q));
    BOOST_REQUIRE(r.reply.status == 200);
    return r.reply.body;
  }
};

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(idempotency_actor_test, keyed_fixture)

BOOST_AUTO_TEST_CASE(a_retry_answers_as_the_first_attempt_and_writes_nothing) {
  create(4);
  auto t = now_ns();
  auto first = answer(post(4, batch_of(4, {"a", "b"}, t), "k-1", 42)).reply;
  BOOST_TEST(first.status == 201);
  BOOST_TEST(node.kafka->records_on(topic::events) == 2u);
  // The retry arrives later (a defaulted happenedAt would differ): the
  // answer still names the first attempt's events.
  auto again = answer(post(4, batch_of(4, {"a", "b"}, t + 1'000'000'000),
                           "k-1", 42))
                 .reply;
  BOOST_TEST(again.status == 201);
  BOOST_TEST(again.body == first.body);
  BOOST_TEST(node.kafka->records_on(topic::events) == 2u);
  // Another body under the same key: 422, nothing written.
  auto reused = answer(post(4, batch_of(4, {"c"}, t), "k-1", 43)).reply;
  BOOST_TEST(reused.status == 422);
  BOOST_TEST(reused.body.find("idempotency_key_reused") != std::string::npos);
  BOOST_TEST(node.kafka->records_on(topic::events) == 2u);
  // Another key is another write; no key at all too.
  BOOST_TEST(answer(post(4, batch_of(4, {"a", "b"}, t), "k-2", 42))
               .reply.status
             == 201);
  BOOST_TEST(answer(post(4, batch_of(4, {"a"}, t), "", 0)).reply.status
             == 201);
  BOOST_TEST(node.kafka->records_on(topic::events) == 5u);
  BOOST_TEST(count_of(listing(4), "\"type\"") == 5u);
}

BOOST_AUTO_TEST_CASE(a_batch_that_landed_in_part_is_completed_by_its_retry) {
  create(4);
  auto t = now_ns();
  node.kafka->land_only = 1;
  auto failed = answer(post(4, batch_of(4, {"a", "b", "c"}, t), "k", 7)).reply;
  BOOST_TEST(failed.status == 503);
  BOOST_TEST(node.kafka->records_on(topic::events) == 1u);
  auto retry = answer(post(4, batch_of(4, {"a", "b", "c"}, t), "k", 7)).reply;
  BOOST_TEST(retry.status == 201);
  BOOST_TEST(node.kafka->records_on(topic::events) == 3u);
  // The whole batch, in its order, each event once.
  BOOST_TEST(retry.body.find("\"a\"") < retry.body.find("\"b\""));
  BOOST_TEST(retry.body.find("\"b\"") < retry.body.find("\"c\""));
  auto list = listing(4);
  for (auto type : {"\"a\"", "\"b\"", "\"c\""})
    BOOST_TEST(count_of(list, type) == 1u, type);
  // And from then on it replays.
  BOOST_TEST(answer(post(4, batch_of(4, {"a", "b", "c"}, t), "k", 7)).reply.body
             == retry.body);
  BOOST_TEST(node.kafka->records_on(topic::events) == 3u);
}

BOOST_AUTO_TEST_CASE(a_retry_while_the_first_is_in_flight_waits_for_it) {
  create(4);
  auto t = now_ns();
  // The event log does not read its writes back yet: the first is in flight.
  node.kafka->held.insert(caf::actor_cast<caf::actor_addr>(node.stores.events));
  auto first = post(4, batch_of(4, {"a"}, t), "k", 1, false);
  auto second = post(4, batch_of(4, {"a"}, t + 5), "k", 1, false);
  BOOST_TEST(!answered(first));
  BOOST_TEST(!answered(second));
  BOOST_TEST(node.kafka->records_on(topic::events) == 1u);
  node.kafka->held.clear();
  caf::anon_send(node.bridge, subscribe_atom::value, std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(node.stores.events));
  sched.run();
  auto a = answer(first).reply;
  auto b = answer(second).reply;
  BOOST_TEST(a.status == 201);
  BOOST_TEST(b.body == a.body);
  BOOST_TEST(a.body.front() == '{'); // one event, as posted
  BOOST_TEST(node.kafka->records_on(topic::events) == 1u);
}

BOOST_AUTO_TEST_CASE(a_key_of_a_deleted_account_does_not_answer_for_its_successor) {
  create(6);
  auto t = now_ns();
  BOOST_TEST(answer(post(6, batch_of(6, {"old"}, t), "k", 1)).reply.status
             == 201);
  BOOST_TEST(answer(send(front, delete_atom::value, int64_t{6}, int64_t{0}))
               .reply.status
             == 204);
  BOOST_TEST(answer(post(6, batch_of(6, {"old"}, t), "k", 1)).reply.status
             == 404);
  create(6);
  // The same key and body: a new write for the new incarnation.
  auto fresh = answer(post(6, batch_of(6, {"old"}, t), "k", 1)).reply;
  BOOST_TEST(fresh.status == 201);
  BOOST_TEST(node.kafka->records_on(topic::events) == 2u);
  BOOST_TEST(count_of(listing(6), "\"old\"") == 1u);
}

BOOST_AUTO_TEST_CASE(keyed_posts_wait_until_the_keys_are_restored) {
  node_stores late{sys, cfg, layout};
  keep(late);
  auto log_addr = caf::actor_cast<caf::actor_addr>(late.stores.events);
  late.kafka->held.insert(log_addr);
  auto late_front = front_of(late.stores);
  sched.run();
  BOOST_REQUIRE(answer(send(late_front, put_atom::value, int64_t{4},
                            std::string{"a"}, int64_t{0}))
                  .reply.status
                == 201);
  auto early = answer(send(late_front, publish_atom::value, int64_t{4},
                           batch_of(4, {"a"}, now_ns()), true,
                           std::string{"k"}, uint64_t{1}))
                 .reply;
  BOOST_TEST(early.status == 503);
  BOOST_TEST(early.body.find("not_ready") != std::string::npos);
  BOOST_TEST(late.kafka->records_on(topic::events) == 0u);
  late.kafka->held.clear();
  caf::anon_send(late.bridge, subscribe_atom::value, std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(late.stores.events));
  sched.run();
  BOOST_TEST(answer(send(late_front, publish_atom::value, int64_t{4},
                         batch_of(4, {"a"}, now_ns()), true, std::string{"k"},
                         uint64_t{1}))
               .reply.status
             == 201);
}

BOOST_AUTO_TEST_SUITE_END()
