// The statistics actor alone on the fake bridge: restore from its changelog,
// commits that fail, and reads that wait for their event to be counted. The
// test plays the account table (snapshots) and the node (own_atom).
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "actor_probe.hpp"
#include "src/json.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

using counts_outcome = std::shared_ptr<outcome<std::vector<daily_count>>>;

int64_t count_of(const std::vector<daily_count>& counts,
                 const std::string& type) {
  int64_t n = 0;
  for (auto& c : counts)
    if (c.type == type)
      n += c.count;
  return n;
}

stats_query all_of(int64_t account_id) {
  stats_query q;
  q.account_id = account_id;
  return q;
}

struct stats_fixture : fixture {
  std::shared_ptr<fake_kafka> kafka = std::make_shared<fake_kafka>();
  kafka_bridge_actor bridge;
  std::vector<int32_t> every_partition;
  // A fixed day, so that every event lands in one window.
  int64_t at_ns = int64_t{19'700} * ns_per_day + 3'600 * ns_per_second;

  stats_fixture() {
    kafka->layout = layout;
    bridge = keep(sys.spawn(fake_bridge, kafka));
    for (int32_t p = 0; p < layout.of(topic::events); ++p)
      every_partition.push_back(p);
  }

  int32_t partition_of(int64_t account_id) const {
    return partition_for(encode_long_key(account_id),
                         layout.of(topic::events));
  }

  std::vector<in_record>& events_log(int32_t partition) {
    return kafka->logs[{id_of(topic::events), partition}];
  }

  /// A statistics actor owning every partition, with these accounts live;
  /// `held`: its feed paused from the start.
  stats_actor start_stats(const std::vector<int64_t>& ids, bool held = false) {
    auto s = keep(sys.spawn(stats, cfg, layout, bridge));
    if (held)
      kafka->held.insert(caf::actor_cast<caf::actor_addr>(s));
    std::vector<account> live;
    for (auto id : ids)
      live.push_back(account{id, "n", 1, 0});
    caf::anon_send(s, account_atom::value, live, std::vector<int64_t>{},
                   true);
    caf::anon_send(s, own_atom::value, every_partition,
                   std::vector<int32_t>{});
    sched.run();
    return s;
  }

  void hold(const stats_actor& s) {
    kafka->held.insert(caf::actor_cast<caf::actor_addr>(s));
  }

  void release_feed(const stats_actor& s) {
    kafka->held.erase(caf::actor_cast<caf::actor_addr>(s));
    caf::anon_send(bridge, subscribe_atom::value, std::vector<assignment>{},
                   caf::actor_cast<record_sink_actor>(s));
    sched.run();
  }

  /// An event's record as the event log writes it.
  std::vector<out_record> event_record(int64_t account_id,
                                       const std::string& type) const {
    out_record r;
    r.topic_id = id_of(topic::events);
    r.key = encode_long_key(account_id);
    r.value = event_record_value(event{account_id, type, at_ns, -1});
    return {r};
  }

  /// Writes one event as the event log would; where it landed.
  delivery publish(int64_t account_id, const std::string& type) {
    caf::anon_send(bridge, produce_atom::value, event_record(account_id, type));
    sched.run();
    auto p = partition_of(account_id);
    return delivery{p, static_cast<int64_t>(events_log(p).size()) - 1};
  }

  /// One commit interval passes: each statistics actor commits.
  void commit_tick() {
    sched.advance_time(std::chrono::milliseconds{cfg.stats_commit_interval_ms});
    sched.run();
  }

  /// What a next owner would restore: the changelog read back in order.
  daily_stats committed() {
    daily_stats saved;
    for (auto& [where, log] : kafka->logs)
      if (where.first == id_of(topic::stats_changelog))
        for (auto& r : log)
          BOOST_REQUIRE(!saved.restore(r, layout.of(topic::events)));
    return saved;
  }

  counts_outcome query(const stats_actor& s, int64_t account_id) {
    auto out = ask<std::vector<daily_count>>(sys, s, query_atom::value,
                                             all_of(account_id));
    sched.run();
    return out;
  }

  std::vector<daily_count> counts(const stats_actor& s, int64_t account_id) {
    auto out = query(s, account_id);
    BOOST_REQUIRE(out->value);
    return std::get<0>(*out->value);
  }

  /// A read-your-writes read: waits for `at` to be counted, then queries.
  counts_outcome read_after(const stats_actor& s, delivery at,
                            int64_t account_id) {
    auto out = std::make_shared<outcome<std::vector<daily_count>>>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(s, caf::infinite, await_atom::value, at.partition,
                    at.offset)
        .then([=](ok_atom) {
          self->request(s, caf::infinite, query_atom::value, all_of(account_id))
            .then([=](std::vector<daily_count>& c) { out->value.emplace(c); },
                  [=](caf::error& err) { out->error = err; });
        },
        [=](caf::error& err) { out->error = err; });
    });
    sched.run();
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(stats_actor_test, stats_fixture)

BOOST_AUTO_TEST_CASE(a_new_owner_restores_the_changelog_then_reads_past_its_checkpoint) {
  auto first = start_stats({4});
  publish(4, "login");
  publish(4, "login");
  publish(4, "logout");
  commit_tick();
  auto p = partition_of(4);
  auto saved = committed();
  BOOST_TEST(count_of(saved.query(all_of(4)), "login") == 2);
  BOOST_TEST(count_of(saved.query(all_of(4)), "logout") == 1);
  BOOST_TEST(saved.next_offset(p) == 3);
  // Counted, never committed: the first owner dies with it.
  publish(4, "login");
  caf::anon_send_exit(first, caf::exit_reason::kill);
  sched.run();
  // Retention took the oldest event: only the changelog still knows it.
  events_log(p).front().value.clear();

  auto second = start_stats({4}, true);
  auto early = query(second, 4);
  BOOST_REQUIRE(early->error);
  BOOST_TEST(error_name(*early->error) == "not_ready");
  auto progress = ask<int32_t, int32_t, std::vector<int32_t>>(
    sys, second, ready_atom::value);
  auto waiting = read_after(second, delivery{p, 3}, 4);
  BOOST_REQUIRE(progress->value);
  BOOST_TEST(std::get<0>(*progress->value) == 0);
  BOOST_TEST(std::get<1>(*progress->value) == 8);
  BOOST_TEST(std::get<2>(*progress->value).size() == 4u);
  BOOST_TEST(!waiting->settled());

  release_feed(second);
  // Two logins from the changelog, one read after its checkpoint: neither
  // the expired event nor the committed ones are counted again.
  auto after = counts(second, 4);
  BOOST_TEST(count_of(after, "login") == 3);
  BOOST_TEST(count_of(after, "logout") == 1);
  BOOST_REQUIRE(waiting->value);
  BOOST_TEST(count_of(std::get<0>(*waiting->value), "login") == 3);
  auto done = ask<int32_t, int32_t, std::vector<int32_t>>(sys, second,
                                                           ready_atom::value);
  sched.run();
  BOOST_REQUIRE(done->value);
  BOOST_TEST(std::get<0>(*done->value) == 8);
  BOOST_TEST(std::get<2>(*done->value).empty());
}

BOOST_AUTO_TEST_CASE(an_idle_statistics_actor_sets_no_timer) {
  auto s = start_stats({4});
  publish(4, "login");
  commit_tick(); // writes the count
  commit_tick(); // finds nothing left: no next tick
  // Whatever else waits on the clock (request timeouts) fires meanwhile.
  sched.advance_time(std::chrono::minutes{1});
  sched.run();
  BOOST_TEST(sched.clock().schedule().empty());
  // A change starts the ticks again, and its count is written.
  auto written = kafka->records_on(topic::stats_changelog);
  publish(4, "login");
  BOOST_TEST(!sched.clock().schedule().empty());
  commit_tick();
  BOOST_TEST(kafka->records_on(topic::stats_changelog) > written);
  BOOST_TEST(count_of(committed().query(all_of(4)), "login") == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_commit_is_written_by_the_next_one_exactly) {
  auto s = start_stats({4, 6});
  publish(4, "login");
  publish(4, "login");
  kafka->fail_commits = 1;
  commit_tick();
  BOOST_TEST(kafka->fail_commits == 0); // it was tried
  BOOST_TEST(kafka->records_on(topic::stats_changelog) == 0u);
  // Account 4 changes no more: only the retry writes its counts down.
  publish(6, "view");
  commit_tick();
  auto saved = committed();
  BOOST_TEST(count_of(saved.query(all_of(4)), "login") == 2);
  BOOST_TEST(count_of(saved.query(all_of(6)), "view") == 1);
  for (auto p : every_partition)
    BOOST_TEST(saved.next_offset(p)
                 == static_cast<int64_t>(events_log(p).size()),
               "checkpoint of partition " << p);
  BOOST_TEST(count_of(counts(s, 4), "login") == 2);
  // Nothing changed since: nothing more is written.
  auto written = kafka->records_on(topic::stats_changelog);
  commit_tick();
  BOOST_TEST(kafka->records_on(topic::stats_changelog) == written);

  // The next owner restores exactly that, counting nothing again.
  caf::anon_send_exit(s, caf::exit_reason::kill);
  sched.run();
  auto next = start_stats({4, 6});
  BOOST_TEST(count_of(counts(next, 4), "login") == 2);
  BOOST_TEST(count_of(counts(next, 6), "view") == 1);
}

BOOST_AUTO_TEST_CASE(its_own_commit_read_back_does_not_roll_back_later_counts) {
  auto s = start_stats({4});
  publish(4, "login");
  // The second login reaches the actor after it took the commit's changes
  // and before that commit comes back on its changelog feed.
  caf::anon_send(bridge, produce_atom::value, event_record(4, "login"));
  sched.advance_time(std::chrono::milliseconds{cfg.stats_commit_interval_ms});
  sched.run();
  BOOST_TEST(count_of(committed().query(all_of(4)), "login") == 1);
  BOOST_TEST(count_of(counts(s, 4), "login") == 2);
  commit_tick();
  BOOST_TEST(count_of(committed().query(all_of(4)), "login") == 2);
  BOOST_TEST(committed().next_offset(partition_of(4)) == 2);
}

BOOST_AUTO_TEST_CASE(a_release_whose_last_commit_fails_still_hands_over_exact_counts) {
  auto s = start_stats({4});
  publish(4, "login");
  commit_tick();
  publish(4, "login");
  kafka->fail_commits = 1;
  auto released = ask<ok_atom>(sys, s, own_atom::value, std::vector<int32_t>{},
                               every_partition);
  sched.run();
  BOOST_TEST(kafka->fail_commits == 0);
  BOOST_TEST(released->value.has_value());
  // Let go: it answers for the account no more.
  auto moved = query(s, 4);
  BOOST_REQUIRE(moved->error);
  BOOST_TEST(error_name(*moved->error) == "partition_moving");
  // The next owner has one login from the changelog and reads the other.
  auto next = start_stats({4});
  BOOST_TEST(count_of(counts(next, 4), "login") == 2);
  commit_tick();
  BOOST_TEST(count_of(committed().query(all_of(4)), "login") == 2);
}

BOOST_AUTO_TEST_CASE(a_read_your_writes_query_waits_until_its_event_is_counted) {
  auto s = start_stats({4});
  publish(4, "login");
  hold(s);
  auto at = publish(4, "login");
  auto read = read_after(s, at, 4);
  auto later = ask<ok_atom>(sys, s, await_atom::value, at.partition,
                            at.offset + 1);
  sched.run();
  BOOST_TEST(!read->settled());
  // A read that does not wait misses it.
  BOOST_TEST(count_of(counts(s, 4), "login") == 1);

  release_feed(s);
  BOOST_REQUIRE(read->value);
  BOOST_TEST(count_of(std::get<0>(*read->value), "login") == 2);
  // A wait for an event not written yet still waits.
  BOOST_TEST(!later->settled());
  publish(4, "logout");
  BOOST_TEST(later->value.has_value());
}

BOOST_AUTO_TEST_CASE(a_wait_on_a_partition_given_up_is_answered_not_left_hanging) {
  auto s = start_stats({4});
  hold(s);
  auto at = publish(4, "login");
  auto waiting = ask<ok_atom>(sys, s, await_atom::value, at.partition,
                              at.offset);
  sched.run();
  BOOST_TEST(!waiting->settled());
  // The event is durable: the next owner counts it.
  caf::anon_send(s, own_atom::value, std::vector<int32_t>{},
                 std::vector<int32_t>{at.partition});
  sched.run();
  BOOST_TEST(waiting->value.has_value());
}

BOOST_AUTO_TEST_CASE(a_warm_copy_asked_for_during_a_release_is_kept_after_it) {
  auto s = start_stats({4});
  auto p = partition_of(4);
  auto changelog = std::make_pair(id_of(topic::stats_changelog), p);
  auto followed = [&] {
    for (auto& x : kafka->subscribers)
      if (x.sink == caf::actor_cast<record_sink_actor>(s))
        return x.next.count(changelog) > 0;
    return false;
  };
  // A count not committed yet: the release waits for its commit, and the
  // node asks for a warm copy of the partition meanwhile (another node's
  // members record came).
  publish(4, "login");
  caf::anon_send(s, own_atom::value, std::vector<int32_t>{},
                 std::vector<int32_t>{p});
  caf::anon_send(s, standby_atom::value, std::vector<int32_t>{p},
                 std::vector<int32_t>{});
  sched.run();
  auto moved = query(s, 4);
  BOOST_REQUIRE(moved->error);
  BOOST_TEST(error_name(*moved->error) == "partition_moving");
  BOOST_TEST(followed());
  // Given back later, it is promoted from that copy, and it counts on.
  caf::anon_send(s, own_atom::value, std::vector<int32_t>{p},
                 std::vector<int32_t>{});
  sched.run();
  publish(4, "login");
  BOOST_TEST(count_of(counts(s, 4), "login") == 2);
}

BOOST_AUTO_TEST_SUITE_END()
