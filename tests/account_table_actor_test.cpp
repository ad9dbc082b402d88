// The account table actor through its typed messages, on the fake bridge:
// its per-account write queue, id blocks claimed by racing nodes, and lists
// that wait until the table has read what other nodes wrote.
#include <boost/test/unit_test.hpp>

#include "actor_asks.hpp"
#include "src/record_checks.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

using account_reply = std::shared_ptr<reply_box<account>>;

struct table_fixture : fixture {
  /// Pauses what `sink` reads from the (fake) accounts and id-blocks topics.
  template <class Sink>
  void hold(node_stores& node, const Sink& sink) {
    node.kafka->held.insert(caf::actor_cast<caf::actor_addr>(sink));
  }

  /// Lets `sink` read on and runs everything.
  template <class Sink>
  void release(node_stores& node, const Sink& sink) {
    node.kafka->held.erase(caf::actor_cast<caf::actor_addr>(sink));
    caf::anon_send(node.bridge, subscribe_atom::value,
                   std::vector<assignment>{},
                   caf::actor_cast<record_sink_actor>(sink));
    sched.run();
  }

  /// A started node whose table owns every partition (and is ready).
  node_stores& start(std::shared_ptr<fake_kafka> shared = nullptr) {
    nodes.push_back(
      std::make_unique<node_stores>(sys, cfg, layout, std::move(shared)));
    keep(*nodes.back());
    sched.run();
    return *nodes.back();
  }

  std::vector<std::unique_ptr<node_stores>> nodes;

  account_reply patch(const account_table_actor& t, int64_t id,
                      const std::string& name) {
    return ask<account>(*this, t, patch_atom::value, id, name, int64_t{0});
  }

  /// Creates an account and checks that it was created.
  void create(const account_table_actor& t, int64_t id,
              const std::string& name) {
    auto r = ask<account, bool>(*this, t, put_atom::value, id, name,
                                int64_t{0});
    sched.run();
    BOOST_REQUIRE(r->value.has_value());
    BOOST_REQUIRE(std::get<1>(*r->value));
  }

  /// The account's records on the accounts topic, in log order (a
  /// tombstone shows as an account with version 0).
  std::vector<account> written(const fake_kafka& k, int64_t id) {
    auto p = partition_for(encode_long_key(id), layout.of(topic::accounts));
    std::vector<account> out;
    auto log = k.logs.find({id_of(topic::accounts), p});
    if (log == k.logs.end())
      return out;
    for (auto& r : log->second) {
      if (decode_long_key(r.key) != id)
        continue;
      if (r.tombstone) {
        out.push_back(account{id, "", 0, 0});
        continue;
      }
      auto a = check_account_value(id, r.value);
      BOOST_REQUIRE(std::holds_alternative<account>(a));
      out.push_back(std::get<account>(a));
    }
    return out;
  }

  /// The blocks claimed on the id-blocks topic, in log order.
  std::vector<int64_t> claims(const fake_kafka& k) {
    std::vector<int64_t> out;
    auto log = k.logs.find({id_of(topic::id_blocks), 0});
    if (log != k.logs.end())
      for (auto& r : log->second)
        out.push_back(decode_long_key(r.key).value_or(-1));
    return out;
  }
};

int64_t block_of(int64_t id) {
  return (id - 1) / id_block_size;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(account_table_actor_test, table_fixture)

// -- the write queue -------------------------------------------------------

BOOST_AUTO_TEST_CASE(writes_to_one_account_apply_in_arrival_order) {
  auto& node = start();
  auto t = node.stores.accounts;
  // All three arrive before the first is written: each must see the one
  // before it (the patches would find no account, or both be version 2).
  auto created = ask<account, bool>(*this, t, put_atom::value, int64_t{4},
                                    std::string{"a"}, int64_t{0});
  auto b = patch(t, 4, "b");
  auto c = patch(t, 4, "c");
  sched.run();
  BOOST_TEST(created->get().version == 1);
  BOOST_TEST(b->get().version == 2);
  BOOST_TEST(c->get().version == 3);
  auto log = written(*node.kafka, 4);
  BOOST_REQUIRE_EQUAL(log.size(), 3u);
  BOOST_TEST(log[0].name == "a");
  BOOST_TEST(log[1].name == "b");
  BOOST_TEST(log[2].name == "c");
  BOOST_TEST(log[2].version == 3);
  auto now = ask<account>(*this, t, get_atom::value, int64_t{4});
  sched.run();
  BOOST_TEST(now->get().name == "c");
}

BOOST_AUTO_TEST_CASE(a_write_waits_while_another_to_its_account_is_in_flight) {
  auto& node = start();
  auto t = node.stores.accounts;
  create(t, 4, "four");
  create(t, 6, "six");
  // The table does not read its writes back: the first PATCH stays in flight.
  hold(node, t);
  auto first = patch(t, 4, "x");
  auto del = ask<ok_atom>(*this, t, delete_atom::value, int64_t{4},
                          int64_t{0});
  auto other = patch(t, 6, "y");
  sched.run();
  BOOST_TEST(!first->settled());
  BOOST_TEST(!del->settled());
  BOOST_TEST(!other->settled());
  // Account 4's DELETE waits unwritten; account 6's write is not held up.
  BOOST_TEST(written(*node.kafka, 4).size() == 2u);
  BOOST_TEST(written(*node.kafka, 6).size() == 2u);
  release(node, t);
  BOOST_TEST(first->get().version == 2);
  BOOST_TEST(del->value.has_value());
  BOOST_TEST(other->get().name == "y");
  auto log = written(*node.kafka, 4);
  BOOST_REQUIRE_EQUAL(log.size(), 3u);
  BOOST_TEST(log[2].version == 0); // the tombstone, after the PATCH
}

BOOST_AUTO_TEST_CASE(a_failed_produce_answers_an_error_and_unblocks_its_account) {
  auto& node = start();
  auto t = node.stores.accounts;
  create(t, 4, "four");
  node.kafka->land_only = 0; // the next produce lands nothing and fails
  auto failed = patch(t, 4, "x");
  auto queued = patch(t, 4, "y");
  sched.run();
  BOOST_TEST(failed->error.has_value());
  BOOST_TEST((code_of(*failed) == error_code::broker_unavailable));
  // The one behind it ran, against the unchanged account.
  BOOST_TEST(queued->get().name == "y");
  BOOST_TEST(queued->get().version == 2);
  BOOST_TEST(written(*node.kafka, 4).size() == 2u);
  // A failed create leaves no account and blocks no later create.
  node.kafka->land_only = 0;
  auto lost = ask<account, bool>(*this, t, put_atom::value, int64_t{8},
                                 std::string{"lost"}, int64_t{0});
  auto again = ask<account, bool>(*this, t, put_atom::value, int64_t{8},
                                  std::string{"again"}, int64_t{0});
  sched.run();
  BOOST_TEST((code_of(*lost) == error_code::broker_unavailable));
  BOOST_REQUIRE(again->value.has_value());
  BOOST_TEST(std::get<1>(*again->value)); // created
  BOOST_TEST(std::get<0>(*again->value).version == 1);
}

// -- server-assigned ids ---------------------------------------------------

BOOST_AUTO_TEST_CASE(reservations_waiting_for_one_claim_share_its_block) {
  auto& node = start();
  auto t = node.stores.accounts;
  create(t, 2, "taken"); // a client-chosen id inside the first block
  auto a = ask<int64_t>(*this, t, reserve_atom::value);
  auto b = ask<int64_t>(*this, t, reserve_atom::value);
  auto c = ask<int64_t>(*this, t, reserve_atom::value);
  sched.run();
  BOOST_TEST(claims(*node.kafka) == std::vector<int64_t>{0});
  BOOST_TEST(a->get() == 1);
  BOOST_TEST(b->get() == 3); // 2 exists
  BOOST_TEST(c->get() == 4);
}

BOOST_AUTO_TEST_CASE(two_tables_racing_for_a_block_never_hand_out_an_id_twice) {
  auto& one = start();
  auto& two = start(one.kafka);
  auto t1 = one.stores.accounts;
  auto t2 = two.stores.accounts;
  // Both claim block 0 at once; one claim lands first and wins.
  auto r1 = ask<int64_t>(*this, t1, reserve_atom::value);
  auto r2 = ask<int64_t>(*this, t2, reserve_atom::value);
  sched.run();
  auto id1 = r1->get();
  auto id2 = r2->get();
  BOOST_TEST(id1 != id2);
  // The loser saw it lost and claimed the next block.
  std::set<int64_t> blocks{block_of(id1), block_of(id2)};
  BOOST_TEST(blocks == (std::set<int64_t>{0, 1}));
  BOOST_TEST(claims(*one.kafka) == (std::vector<int64_t>{0, 0, 1}));
  // From then on each draws from its own block, interleaved or not.
  std::set<int64_t> seen{id1, id2};
  std::vector<std::shared_ptr<reply_box<int64_t>>> more;
  for (int i = 0; i < 5; ++i) {
    more.push_back(ask<int64_t>(*this, t1, reserve_atom::value));
    more.push_back(ask<int64_t>(*this, t2, reserve_atom::value));
  }
  sched.run();
  for (auto& r : more)
    BOOST_TEST(seen.insert(r->get()).second, "id " << r->get() << " twice");
  BOOST_TEST(claims(*one.kafka).size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_table_that_read_anothers_claim_claims_past_it) {
  auto& one = start();
  auto& two = start(one.kafka);
  auto first = ask<int64_t>(*this, one.stores.accounts, reserve_atom::value);
  sched.run();
  BOOST_TEST(block_of(first->get()) == 0);
  // The second table read that claim: it asks for block 1 straight away.
  auto second = ask<int64_t>(*this, two.stores.accounts, reserve_atom::value);
  sched.run();
  BOOST_TEST(second->get() == id_block_size + 1);
  BOOST_TEST(claims(*one.kafka) == (std::vector<int64_t>{0, 1}));
}

// -- lists -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_list_waits_until_the_table_has_read_the_accounts_topic) {
  cfg.node_address = "127.0.0.1:1"; // linked: other nodes write accounts too
  auto& here = start();
  auto& peer = start(here.kafka);
  hold(here, here.stores.accounts);
  create(peer.stores.accounts, 5, "by the peer");
  auto listed = ask<std::vector<account>>(*this, here.stores.accounts,
                                          list_atom::value, int64_t{0},
                                          int64_t{100});
  sched.run();
  BOOST_TEST(!listed->settled());
  release(here, here.stores.accounts);
  BOOST_REQUIRE(listed->settled());
  auto& accounts = listed->get();
  BOOST_REQUIRE_EQUAL(accounts.size(), 1u);
  BOOST_TEST(accounts[0].id == 5);
  BOOST_TEST(accounts[0].name == "by the peer");
}

BOOST_AUTO_TEST_CASE(a_list_with_nothing_unread_answers_at_once) {
  cfg.node_address = "127.0.0.1:1";
  auto& here = start();
  create(here.stores.accounts, 5, "five");
  create(here.stores.accounts, 7, "seven");
  create(here.stores.accounts, 9, "nine");
  // Holding the feed changes nothing: every end was read already.
  hold(here, here.stores.accounts);
  auto listed = ask<std::vector<account>>(*this, here.stores.accounts,
                                          list_atom::value, int64_t{5},
                                          int64_t{1});
  sched.run();
  BOOST_REQUIRE(listed->settled());
  BOOST_REQUIRE_EQUAL(listed->get().size(), 1u);
  BOOST_TEST(listed->get()[0].id == 7);
}

// -- takeovers ------------------------------------------------------------

// The old owner's last writes reach this node up to a second late: a
// partition taken is served (and the event log and statistics told) only
// once the table has read them, else its accounts would be missing here
// (404, or counts forgotten for an account the statistics do not know).
BOOST_AUTO_TEST_CASE(a_partition_taken_is_answered_once_the_table_holds_its_accounts) {
  cfg.node_address = "127.0.0.1:1";
  auto& here = start();
  auto& peer = start(here.kafka);
  auto p = partition_for(encode_long_key(5), layout.of(topic::events));
  auto mine = std::vector<int32_t>{p};
  auto none = std::vector<int32_t>{};
  auto released = ask<ok_atom>(*this, here.stores.accounts, own_atom::value,
                               none, mine);
  sched.run();
  BOOST_REQUIRE(released->settled());
  hold(here, here.stores.accounts);
  create(peer.stores.accounts, 5, "by the old owner");
  auto taken = ask<ok_atom>(*this, here.stores.accounts, own_atom::value,
                            mine, none);
  auto early = ask<account>(*this, here.stores.accounts, get_atom::value,
                            int64_t{5});
  sched.run();
  BOOST_TEST(!taken->settled());
  BOOST_REQUIRE(early->settled());
  BOOST_TEST((code_of(*early) == error_code::not_ready));
  release(here, here.stores.accounts);
  BOOST_REQUIRE(taken->settled());
  BOOST_TEST(!taken->error.has_value());
  auto later = ask<account>(*this, here.stores.accounts, get_atom::value,
                            int64_t{5});
  sched.run();
  BOOST_TEST(later->get().name == "by the old owner");
}

BOOST_AUTO_TEST_CASE(a_partition_taken_with_nothing_unread_is_answered_at_once) {
  auto& here = start();
  create(here.stores.accounts, 5, "five");
  hold(here, here.stores.accounts);
  auto p = partition_for(encode_long_key(5), layout.of(topic::events));
  auto taken = ask<ok_atom>(*this, here.stores.accounts, own_atom::value,
                            std::vector<int32_t>{p}, std::vector<int32_t>{});
  sched.run();
  BOOST_TEST(taken->settled());
  auto got = ask<account>(*this, here.stores.accounts, get_atom::value,
                          int64_t{5});
  sched.run();
  BOOST_TEST(got->get().name == "five");
}

BOOST_AUTO_TEST_SUITE_END()
