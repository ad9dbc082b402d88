// The event log actor through its typed messages, on the fake bridge: live
// stream readers joining, leaving and going down, and the retention tick
// (driven by the test coordinator's clock, never by sleeping).
#include <boost/test/unit_test.hpp>

#include "actor_asks.hpp"
#include "src/metrics.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

/// What a stream reader was sent.
struct reader_log {
  std::vector<event> events;
  std::vector<std::string> ends;
  /// Who fed it: the account's stream actor (weak: it must not keep it).
  caf::actor_addr stream;

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (auto& e : events)
      out.push_back(e.type);
    return out;
  }
};

stream_reader_actor::behavior_type
recording_reader(stream_reader_actor::pointer self,
                 std::shared_ptr<reader_log> log) {
  return {
    [=](stream_atom, const std::vector<event>& events) {
      log->stream = caf::actor_cast<caf::actor_addr>(self->current_sender());
      log->events.insert(log->events.end(), events.begin(), events.end());
    },
    [=](end_atom, const std::string& why) { log->ends.push_back(why); },
  };
}

/// Whether anything still holds the actor at `addr` (a handle in a map, a
/// message in a mailbox): once nothing does it cannot be made strong again.
bool still_held(const caf::actor_addr& addr) {
  return caf::actor_cast<caf::strong_actor_ptr>(addr) != nullptr;
}

struct log_fixture : fixture {
  node_stores node{sys, cfg, layout};
  event_log_actor log;

  log_fixture() {
    keep(node);
    log = node.stores.events;
    sched.run();
  }

  /// Publishes events of one account straight to the event log and
  /// checks that they were stored (durable and indexed).
  void publish(int64_t account, const std::vector<std::string>& types,
               int64_t at_ns = now_ns()) {
    std::vector<event> events;
    for (auto& t : types)
      events.push_back(event{account, t, at_ns, -1});
    auto stored = ask<std::vector<event>>(*this, log, publish_atom::value,
                                          events, std::string{}, uint64_t{0},
                                          int64_t{0});
    sched.run();
    BOOST_REQUIRE_EQUAL(stored->get().size(), types.size());
  }

  /// A reader (not kept by the fixture: the event log alone may hold it)
  /// and what it is sent.
  std::pair<stream_reader_actor, std::shared_ptr<reader_log>> reader() {
    auto seen = std::make_shared<reader_log>();
    return {sys.spawn(recording_reader, seen), seen};
  }

  void join(int64_t account, const stream_reader_actor& r) {
    event_query q;
    q.account_id = account;
    caf::anon_send(log, join_atom::value, q, r);
    sched.run();
  }

  /// GET events' body for an account.
  std::string listing(int64_t account) {
    event_query q;
    q.account_id = account;
    auto body = ask<std::string>(*this, log, query_atom::value, q);
    sched.run();
    return body->get();
  }

  static double readers_open() {
    return global_metrics().stream_readers.Value();
  }

  static double streams_open() {
    return global_metrics().account_streams.Value();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_log_actor_test, log_fixture)

// -- readers joining and leaving ---------------------------------------------

BOOST_AUTO_TEST_CASE(a_reader_gets_the_replay_then_live_events_until_it_leaves) {
  auto readers_before = readers_open();
  auto streams_before = streams_open();
  publish(4, {"old"});
  auto [r, seen] = reader();
  join(4, r);
  BOOST_TEST(seen->types() == std::vector<std::string>{"old"});
  BOOST_TEST(readers_open() == readers_before + 1);
  BOOST_TEST(streams_open() == streams_before + 1);
  publish(4, {"new"});
  publish(6, {"elsewhere"}); // another account's events are not its
  BOOST_TEST(seen->types() == (std::vector<std::string>{"old", "new"}));
  BOOST_TEST(seen->events.back().offset >= 0); // resumable (Last-Event-ID)
  auto stream = seen->stream;
  BOOST_REQUIRE((stream != nullptr));
  caf::anon_send(log, leave_atom::value, int64_t{4}, r);
  sched.run();
  publish(4, {"after"});
  BOOST_TEST(seen->types() == (std::vector<std::string>{"old", "new"}));
  // The last reader gone, its account's stream ended and was let go.
  BOOST_TEST(!still_held(stream));
  BOOST_TEST(readers_open() == readers_before);
  BOOST_TEST(streams_open() == streams_before);
  BOOST_TEST(seen->ends.empty());
}

BOOST_AUTO_TEST_CASE(readers_of_one_account_share_a_stream_and_leave_alone) {
  auto readers_before = readers_open();
  auto [a, seen_a] = reader();
  auto [b, seen_b] = reader();
  join(4, a);
  join(4, b);
  join(4, a); // joining twice counts once
  BOOST_TEST(readers_open() == readers_before + 2);
  publish(4, {"both"});
  BOOST_TEST(seen_a->types() == std::vector<std::string>{"both"});
  BOOST_TEST(seen_b->types() == std::vector<std::string>{"both"});
  BOOST_TEST((seen_a->stream == seen_b->stream));
  caf::anon_send(log, leave_atom::value, int64_t{4}, a);
  caf::anon_send(log, leave_atom::value, int64_t{4}, a); // a second leave
  sched.run();
  publish(4, {"b-only"});
  BOOST_TEST(seen_a->types() == std::vector<std::string>{"both"});
  BOOST_TEST(seen_b->types() == (std::vector<std::string>{"both", "b-only"}));
  BOOST_TEST(still_held(seen_b->stream)); // b still reads it
  BOOST_TEST(readers_open() == readers_before + 1);
  caf::anon_send(log, leave_atom::value, int64_t{4}, b);
  sched.run();
  BOOST_TEST(!still_held(seen_b->stream));
  BOOST_TEST(readers_open() == readers_before);
}

// -- readers that go away without leaving ------------------------------------

BOOST_AUTO_TEST_CASE(a_reader_that_goes_down_is_dropped_and_the_others_read_on) {
  auto readers_before = readers_open();
  auto streams_before = streams_open();
  auto [gone, seen_gone] = reader();
  auto [stays, seen_stays] = reader();
  join(4, gone);
  join(4, stays);
  publish(4, {"first"});
  auto gone_addr = caf::actor_cast<caf::actor_addr>(gone);
  // It dies (its connection's worker ended) without a leave; only the
  // event log's monitor tells.
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  gone = nullptr;
  sched.run();
  BOOST_TEST(readers_open() == readers_before + 1);
  // Neither the event log nor the stream keeps its handle.
  BOOST_TEST(!still_held(gone_addr));
  publish(4, {"second"});
  BOOST_TEST(seen_stays->types()
             == (std::vector<std::string>{"first", "second"}));
  BOOST_TEST(seen_gone->types() == std::vector<std::string>{"first"});
  // The last reader going down ends the stream too.
  auto stream = seen_stays->stream;
  caf::anon_send_exit(stays, caf::exit_reason::kill);
  sched.run();
  BOOST_TEST(!still_held(stream));
  BOOST_TEST(readers_open() == readers_before);
  BOOST_TEST(streams_open() == streams_before);
  // Its connection's leave may still come after the down: nothing twice.
  caf::anon_send(log, leave_atom::value, int64_t{4}, stays);
  sched.run();
  BOOST_TEST(readers_open() == readers_before);
}

BOOST_AUTO_TEST_CASE(a_deleted_accounts_readers_are_told_and_its_events_forgotten) {
  publish(4, {"before"});
  auto [r, seen] = reader();
  join(4, r);
  // As the account table tells its listeners of a DELETE.
  caf::anon_send(log, account_atom::value, std::vector<account>{},
                 std::vector<int64_t>{4}, false);
  sched.run();
  BOOST_TEST(seen->ends == std::vector<std::string>{"the account was deleted"});
  BOOST_TEST(listing(4).find("before") == std::string::npos);
  // The reader's connection then leaves, and the stream goes.
  auto stream = seen->stream;
  caf::anon_send(log, leave_atom::value, int64_t{4}, r);
  sched.run();
  BOOST_TEST(!still_held(stream));
}

// -- retention ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_retention_tick_drops_events_past_the_horizon) {
  auto day_ns = int64_t{86'400} * ns_per_second;
  auto retention_ns = cfg.events_retention_ms * 1'000'000;
  auto now = now_ns();
  // Indexed now, but past the horizon by a day: the next tick drops it.
  publish(4, {"stale"}, now - retention_ns - day_ns);
  publish(4, {"fresh"}, now);
  auto expired_before = global_metrics().events_expired.Value();
  auto indexed_before = global_metrics().events_indexed.Value();
  // The listing hides it already; the index still holds it.
  BOOST_TEST(listing(4).find("stale") == std::string::npos);
  BOOST_TEST(listing(4).find("fresh") != std::string::npos);
  // So does a stream's replay, before any tick.
  auto [early, early_seen] = reader();
  join(4, early);
  BOOST_TEST(early_seen->types() == std::vector<std::string>{"fresh"});
  // The tick comes every retention / 10, at most a minute.
  sched.advance_time(std::chrono::seconds(59));
  sched.run();
  BOOST_TEST(global_metrics().events_expired.Value() == expired_before);
  sched.advance_time(std::chrono::seconds(1));
  sched.run();
  BOOST_TEST(global_metrics().events_expired.Value() == expired_before + 1);
  BOOST_TEST(global_metrics().events_indexed.Value() == indexed_before - 1);
  // A stream's replay comes from the index: only the fresh event is left.
  auto [r, seen] = reader();
  join(4, r);
  BOOST_TEST(seen->types() == std::vector<std::string>{"fresh"});
  BOOST_TEST(listing(4).find("fresh") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
