// The node actor's routing on the fake bridge: which stores answer for an
// account, as the members topic and its peers come and go. This node is
// "b"; its peers are local stand-ins for a remote node's node actor, which
// dial as a smaller name does (hello, then answer get_atom). Dialling
// itself goes through CAF's middleman and is left to the broker suites.
#include <boost/test/unit_test.hpp>

#include "actor_fixture.hpp"
#include "actor_probe.hpp"
#include "actors/node.hpp"
#include "src/cluster.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

using route_outcome = std::shared_ptr<
  outcome<account_table_actor, event_log_actor, stats_actor>>;

/// A peer's node actor: introduces itself to `callee` at once and answers
/// for its own stores; what `callee` answered lands in `heard`.
node_actor::behavior_type
dialing_peer(node_actor::pointer self, node_actor callee, std::string name,
             store_actors mine,
             std::shared_ptr<outcome<account_table_actor, event_log_actor,
                                     stats_actor>> heard) {
  self->request(callee, caf::infinite, hello_atom::value, name)
    .then(
      [=](account_table_actor& a, event_log_actor& e, stats_actor& s) {
        heard->value.emplace(a, e, s);
      },
      [=](caf::error& err) { heard->error = err; });
  return {
    [=](get_atom) -> caf::result<account_table_actor, event_log_actor,
                                 stats_actor> {
      return {mine.accounts, mine.events, mine.stats};
    },
    [=](hello_atom, const std::string&)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      return {mine.accounts, mine.events, mine.stats};
    },
    [=](route_atom, int64_t)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      return {mine.accounts, mine.events, mine.stats};
    },
    [=](peer_atom) {},
    [=](assign_atom, const std::vector<int32_t>&) {},
    [=](revoke_atom, const std::vector<int32_t>&) { return ok_atom::value; },
    [=](records_atom, const record_batch&) {},
    [=](error_atom, const std::string&) {},
  };
}

bool same_stores(const route_outcome& got, const store_actors& want) {
  if (!got->value)
    return false;
  auto& [a, e, s] = *got->value;
  return a == want.accounts && e == want.events && s == want.stats;
}

/// The error's name, "" when it answered stores (or not at all).
std::string error_of(const route_outcome& got) {
  return got->error ? error_name(*got->error) : std::string{};
}

struct node_fixture : fixture {
  std::optional<node_stores> here;
  node_actor me;

  node_fixture() {
    cfg.node_name = "b";
    here.emplace(sys, cfg, layout);
    keep(*here);
    me = keep(sys.spawn(node, cfg, layout.of(topic::events), here->bridge,
                        here->stores));
    sched.run();
  }

  /// The first account id on an `events` partition.
  int64_t account_on(int32_t partition) const {
    for (int64_t id = 1;; ++id)
      if (partition_for(encode_long_key(id), layout.of(topic::events))
          == partition)
        return id;
  }

  route_outcome route(int64_t account_id) {
    auto out = ask<account_table_actor, event_log_actor, stats_actor>(
      sys, me, route_atom::value, account_id);
    sched.run();
    return out;
  }

  /// Node `name` writes its share to the members topic.
  void claim(const std::string& name, std::vector<int32_t> partitions,
             int64_t epoch = 1) {
    out_record r;
    r.topic_id = id_of(topic::members);
    r.partition = 0;
    r.key = name;
    r.value = encode_member(member_record{name, "", partitions, epoch});
    caf::anon_send(here->bridge, produce_atom::value,
                   std::vector<out_record>{r});
    sched.run();
  }

  /// A peer node with stores of its own, dialling this node.
  struct peer {
    node_actor node;
    std::unique_ptr<node_stores> stores;
    route_outcome heard;
  };

  /// As dial_from, without running anything yet.
  peer dial_later(const std::string& name) {
    peer p;
    p.stores = std::make_unique<node_stores>(sys, cfg, layout);
    keep(*p.stores);
    p.heard = std::make_shared<
      outcome<account_table_actor, event_log_actor, stats_actor>>();
    p.node = keep(sys.spawn(dialing_peer, me, name, p.stores->stores,
                            p.heard));
    return p;
  }

  peer dial_from(const std::string& name) {
    auto p = dial_later(name);
    sched.run();
    return p;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(node_actor_test, node_fixture)

BOOST_AUTO_TEST_CASE(an_account_on_an_owned_partition_routes_to_the_local_stores) {
  // Nobody owns anything yet: moving, not a hang.
  BOOST_TEST(error_of(route(account_on(0))) == "partition_moving");
  // What the group gave counts at once, before its record comes back.
  auto members_feed = caf::actor_cast<caf::actor_addr>(me);
  here->kafka->held.insert(members_feed);
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{0, 1});
  sched.run();
  BOOST_TEST(same_stores(route(account_on(0)), here->stores));
  BOOST_TEST(same_stores(route(account_on(1)), here->stores));
  BOOST_TEST(error_of(route(account_on(2))) == "partition_moving");
  // Its share went to the members topic.
  auto& members = here->kafka->logs[{id_of(topic::members), 0}];
  BOOST_REQUIRE(!members.empty());
  auto mine = decode_member(members.back().value);
  BOOST_REQUIRE(mine);
  BOOST_TEST(mine->node == "b");
  BOOST_TEST((mine->partitions == std::vector<int32_t>{0, 1}));
}

BOOST_AUTO_TEST_CASE(an_account_of_a_peer_routes_to_its_stores_once_it_dialled) {
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{0, 1});
  claim("a", {2, 3});
  // Its owner is known, but not linked.
  BOOST_TEST(error_of(route(account_on(2))) == "peer_unavailable");
  auto a = dial_from("a");
  BOOST_TEST(same_stores(a.heard, here->stores));
  BOOST_TEST(same_stores(route(account_on(2)), a.stores->stores));
  BOOST_TEST(same_stores(route(account_on(3)), a.stores->stores));
  BOOST_TEST(same_stores(route(account_on(0)), here->stores));
}

BOOST_AUTO_TEST_CASE(a_lost_peer_is_unavailable_until_it_dials_again) {
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{0, 1});
  claim("a", {2, 3});
  auto a = dial_from("a");
  BOOST_REQUIRE(same_stores(route(account_on(2)), a.stores->stores));
  caf::anon_send_exit(a.node, caf::exit_reason::kill);
  sched.run();
  auto lost = route(account_on(2));
  BOOST_TEST(error_of(lost) == "peer_unavailable");
  BOOST_TEST(same_stores(route(account_on(0)), here->stores));
  // It restarted: a new node actor, new stores.
  auto again = dial_from("a");
  BOOST_TEST(same_stores(again.heard, here->stores));
  BOOST_TEST(same_stores(route(account_on(2)), again.stores->stores));
}

BOOST_AUTO_TEST_CASE(a_peer_that_dials_again_while_its_stores_are_asked_for_routes_to_the_new_link) {
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{0, 1});
  claim("a", {2, 3});
  // The second hello arrives before the first link answered for its
  // stores (a restarted node dialling while its old link still answers).
  auto old_link = dial_later("a");
  auto new_link = dial_later("a");
  sched.run();
  BOOST_TEST(same_stores(new_link.heard, here->stores));
  BOOST_TEST(same_stores(route(account_on(2)), new_link.stores->stores));
  caf::anon_send_exit(old_link.node, caf::exit_reason::kill);
  sched.run();
  BOOST_TEST(same_stores(route(account_on(2)), new_link.stores->stores));
}

BOOST_AUTO_TEST_CASE(only_a_smaller_name_may_introduce_itself) {
  claim("c", {2});
  auto c = dial_from("c");
  BOOST_TEST(c.heard->error.has_value());
  BOOST_TEST(error_of(route(account_on(2))) == "peer_unavailable");
}

BOOST_AUTO_TEST_CASE(a_revoked_partition_routes_to_its_next_owner_once_claimed) {
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{0, 1, 2, 3});
  sched.run();
  auto a = dial_from("a");
  BOOST_REQUIRE(same_stores(route(account_on(2)), here->stores));
  // Its members feed lags: its own record still claims the partition.
  auto members_feed = caf::actor_cast<caf::actor_addr>(me);
  here->kafka->held.insert(members_feed);
  auto revoked = ask<ok_atom>(sys, me, revoke_atom::value,
                              std::vector<int32_t>{2});
  sched.run();
  BOOST_TEST(revoked->value.has_value());
  BOOST_TEST(error_of(route(account_on(2))) == "partition_moving");
  BOOST_TEST(same_stores(route(account_on(3)), here->stores));
  here->kafka->held.erase(members_feed);
  claim("a", {2});
  BOOST_TEST(same_stores(route(account_on(2)), a.stores->stores));
}

// The statistics count live accounts alone: they take a partition only once
// this node's account table holds the old owner's last accounts.
BOOST_AUTO_TEST_CASE(the_statistics_take_a_partition_once_the_table_holds_its_accounts) {
  std::vector<int32_t> all{0, 1, 2, 3};
  caf::anon_send(me, assign_atom::value, all);
  sched.run();
  auto revoked = ask<ok_atom>(sys, me, revoke_atom::value,
                              std::vector<int32_t>{2});
  sched.run();
  BOOST_REQUIRE(revoked->value.has_value());
  // The old owner, on the same Kafka, creates an account this node's
  // table has yet to read.
  node_stores old{sys, cfg, layout, here->kafka};
  keep(old);
  sched.run();
  auto table_feed = caf::actor_cast<caf::actor_addr>(here->stores.accounts);
  here->kafka->held.insert(table_feed);
  auto id = account_on(2);
  auto created = ask<account, bool>(sys, old.stores.accounts, put_atom::value,
                                    id, std::string{"late"}, int64_t{0});
  sched.run();
  BOOST_REQUIRE(created->value.has_value());
  caf::anon_send(me, assign_atom::value, std::vector<int32_t>{2});
  sched.run();
  stats_query q;
  q.account_id = id;
  auto early = ask<std::vector<daily_count>>(sys, here->stores.stats,
                                             query_atom::value, q);
  sched.run();
  BOOST_REQUIRE(early->error.has_value());
  BOOST_TEST(error_name(*early->error) == "partition_moving");
  here->kafka->held.erase(table_feed);
  caf::anon_send(here->bridge, subscribe_atom::value, std::vector<assignment>{},
                 caf::actor_cast<record_sink_actor>(here->stores.accounts));
  sched.run();
  auto later = ask<std::vector<daily_count>>(sys, here->stores.stats,
                                             query_atom::value, q);
  sched.run();
  BOOST_TEST(later->value.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
