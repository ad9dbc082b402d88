#include <boost/test/unit_test.hpp>

#include "src/account_store.hpp"
#include "src/id_blocks.hpp"
#include "src/offset_waiters.hpp"

using namespace logbase;

BOOST_AUTO_TEST_SUITE(account_store_test)

BOOST_AUTO_TEST_CASE(upserts_and_tombstones_make_the_table) {
  account_store s;
  s.apply({1, "a", 1, 0});
  s.apply({2, "b", 1, 0});
  s.apply({1, "a2", 2, 0});
  BOOST_TEST(s.find(1)->name == "a2");
  BOOST_TEST(s.size() == 2u);
  s.apply_tombstone(1);
  BOOST_TEST(s.find(1) == nullptr);
  BOOST_TEST(s.size() == 1u);
  BOOST_TEST(s.taken(1)); // deleted ids are never handed out again
  BOOST_TEST(s.taken(2));
  BOOST_TEST(!s.taken(3));
}

BOOST_AUTO_TEST_CASE(list_pages_by_id) {
  account_store s;
  for (int64_t id : {5, 1, 3, 9, 7})
    s.apply({id, "n", 1, 0});
  auto page = s.list(0, 2);
  BOOST_REQUIRE(page.size() == 2u);
  BOOST_TEST(page[0].id == 1);
  BOOST_TEST(page[1].id == 3);
  page = s.list(3, 10);
  BOOST_REQUIRE(page.size() == 3u);
  BOOST_TEST(page[0].id == 5);
  BOOST_TEST(page[2].id == 9);
}

BOOST_AUTO_TEST_CASE(put_creates_at_version_one_and_replaces_with_version_plus_one) {
  account_store s;
  auto created = s.plan_put(4, "x", 0, 17);
  BOOST_REQUIRE(created);
  BOOST_TEST(created->version == 1);
  BOOST_TEST(created->events_since == 17);
  s.apply(*created);
  auto replaced = s.plan_put(4, "y", 0, 99);
  BOOST_REQUIRE(replaced);
  BOOST_TEST(replaced->version == 2);
  BOOST_TEST(replaced->events_since == 17); // same incarnation
}

BOOST_AUTO_TEST_CASE(if_match_must_name_the_current_version) {
  account_store s;
  s.apply({1, "a", 3, 0});
  BOOST_TEST(s.plan_patch(1, "b", 3)->version == 4);
  auto conflict = s.plan_patch(1, "b", 2);
  BOOST_REQUIRE(!conflict);
  BOOST_TEST(http_status(conflict.error().code) == 412);
  BOOST_TEST(s.check_delete(1, 2).has_value());
  BOOST_TEST(!s.check_delete(1, 3).has_value());
  BOOST_TEST(!s.check_delete(1, 0).has_value());
  BOOST_TEST(!s.plan_put(2, "n", 1, 0)); // nothing to match
}

BOOST_AUTO_TEST_CASE(missing_accounts_are_not_found) {
  account_store s;
  BOOST_TEST(to_string(s.plan_patch(1, "b", 0).error().code)
             == "account_not_found");
  BOOST_TEST(to_string(s.check_delete(1, 0)->code) == "account_not_found");
}

BOOST_AUTO_TEST_CASE(ids_parse_within_the_javascript_safe_range) {
  BOOST_TEST(*account_store::parse_id("1") == 1);
  BOOST_TEST(*account_store::parse_id("9007199254740991") == max_account_id);
  for (auto bad : {"0", "-1", "9007199254740992", "abc", "1.5", "", "1x"})
    BOOST_TEST(!account_store::parse_id(bad), bad);
}

BOOST_AUTO_TEST_CASE(first_claim_of_a_block_wins) {
  id_blocks mine;
  BOOST_TEST(mine.block_to_claim() == 0);
  // Another node's claim of block 0 lands first (offset 0), ours second.
  mine.on_claim(0, 0);
  mine.on_claim(0, 1);
  BOOST_TEST(!mine.settle_claim(0, 1));
  BOOST_TEST(mine.block_to_claim() == 1);
  mine.on_claim(1, 2);
  BOOST_TEST(mine.settle_claim(1, 2));
  auto none = [](int64_t) { return false; };
  BOOST_TEST(mine.next_id(none).value() == id_block_size + 1);
  BOOST_TEST(mine.next_id(none).value() == id_block_size + 2);
}

BOOST_AUTO_TEST_CASE(blocks_skip_ids_that_exist_and_run_out) {
  id_blocks ids;
  ids.on_claim(0, 0);
  BOOST_REQUIRE(ids.settle_claim(0, 0));
  auto taken = [](int64_t id) { return id == 1 || id == 2; };
  BOOST_TEST(ids.next_id(taken).value() == 3);
  int64_t n = 1;
  while (ids.next_id(taken))
    ++n;
  BOOST_TEST(n == id_block_size - 2);
  BOOST_TEST(!ids.next_id(taken).has_value());
}

// A claim keyed outside the id space (another producer's record) is no
// claim: counting on from it overflowed (tests/fuzz/id_blocks).
BOOST_AUTO_TEST_CASE(claims_outside_the_id_space_are_not_claims) {
  auto last = max_account_id / id_block_size;
  BOOST_TEST(id_blocks::block_of_key(id_blocks::key_of(7)).value() == 7);
  BOOST_TEST(id_blocks::block_of_key(id_blocks::key_of(last)).value() == last);
  for (int64_t bad : {int64_t{-1}, last + 1, INT64_MAX, INT64_MIN})
    BOOST_TEST(!id_blocks::block_of_key(id_blocks::key_of(bad)), bad);
  BOOST_TEST(!id_blocks::block_of_key("1234567"));
}

BOOST_AUTO_TEST_CASE(waiters_are_answered_once_the_offset_is_read) {
  offset_waiters<int> w;
  BOOST_TEST(w.wait(0, 5, 1));
  BOOST_TEST(w.wait(0, 7, 2));
  BOOST_TEST(w.wait(1, 0, 3));
  BOOST_TEST(w.advance(0, 5).empty()); // offset 5 not read yet
  auto ready = w.advance(0, 6);
  BOOST_REQUIRE(ready.size() == 1u);
  BOOST_TEST(ready[0] == 1);
  BOOST_TEST(!w.wait(0, 2, 9)); // read already: answer now
  BOOST_TEST(w.advance(1, 1).at(0) == 3);
  BOOST_TEST(w.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
