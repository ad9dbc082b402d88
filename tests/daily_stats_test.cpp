#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "src/daily_stats.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

constexpr int64_t may1 = int64_t{1714521600} * ns_per_second; // 2024-05-01T00Z

stats_query of(int64_t account) {
  stats_query q;
  q.account_id = account;
  return q;
}

/// Feeds taken changelog records back, as a restore would read them.
void replay(daily_stats& into, const std::vector<out_record>& records) {
  int64_t offset = 0;
  for (auto& r : records) {
    in_record in;
    in.topic_id = r.topic_id;
    in.partition = r.partition < 0 ? 0 : r.partition;
    in.offset = offset++;
    in.key = r.key;
    in.value = r.value;
    in.tombstone = r.tombstone;
    BOOST_TEST(!into.restore(in, 0).has_value());
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(daily_stats_test)

BOOST_AUTO_TEST_CASE(counts_per_utc_day_and_type) {
  daily_stats s;
  s.set_live(1, 0);
  s.count({1, "login", may1 + 1, -1}, 0, 0);
  s.count({1, "login", may1 + ns_per_day - 1, -1}, 0, 1);
  s.count({1, "login", may1 + ns_per_day, -1}, 0, 2);
  s.count({1, "logout", may1, -1}, 0, 3);
  s.count({1, "login", may1 - 10 * ns_per_day, -1}, 0, 4); // late
  auto counts = s.query(of(1));
  BOOST_REQUIRE(counts.size() == 4u);
  BOOST_TEST(format_day(counts[0].day) == "2024-04-21");
  BOOST_TEST(format_day(counts[1].day) == "2024-05-01");
  BOOST_TEST(counts[1].type == "login");
  BOOST_TEST(counts[1].count == 2);
  BOOST_TEST(counts[2].type == "logout");
  BOOST_TEST(format_day(counts[3].day) == "2024-05-02");
  auto q = of(1);
  q.from_day = day_of(may1);
  q.to_day = day_of(may1);
  q.type = "login";
  BOOST_TEST(s.query(q).size() == 1u);
}

BOOST_AUTO_TEST_CASE(each_offset_counts_once) {
  daily_stats s;
  s.set_live(1, 0);
  s.count({1, "a", may1, -1}, 0, 5);
  s.count({1, "a", may1, -1}, 0, 5); // read again after a re-assignment
  s.count({1, "a", may1, -1}, 0, 3); // older
  BOOST_TEST(s.query(of(1)).at(0).count == 1);
  BOOST_TEST(s.next_offset(0) == 6);
}

BOOST_AUTO_TEST_CASE(unknown_accounts_and_earlier_incarnations_do_not_count) {
  daily_stats s;
  s.count({9, "a", may1, -1}, 0, 0); // no such account
  s.set_live(1, 10);
  s.count({1, "a", may1, -1}, 0, 9); // before the account was (re)created
  s.count({1, "a", may1, -1}, 0, 10);
  BOOST_TEST(s.query(of(9)).empty());
  BOOST_TEST(s.query(of(1)).at(0).count == 1);
  BOOST_TEST(s.next_offset(0) == 11);
}

BOOST_AUTO_TEST_CASE(changelog_restores_counts_and_checkpoint) {
  daily_stats s;
  s.set_live(1, 0);
  s.count({1, "a", may1, -1}, 2, 0);
  s.count({1, "a", may1, -1}, 2, 1);
  s.count({1, "b", may1 + ns_per_day, -1}, 2, 2);
  auto records = s.take_changes(id_of(topic::stats_changelog));
  BOOST_TEST(records.size() == 3u); // two windows and one checkpoint
  BOOST_TEST(s.take_changes(id_of(topic::stats_changelog)).empty());
  daily_stats restored;
  for (auto& r : records)
    if (r.partition < 0)
      r.partition = 2;
  replay(restored, records);
  restored.set_live(1, 0);
  restored.reconcile();
  BOOST_TEST(restored.next_offset(2) == 3);
  auto counts = restored.query(of(1));
  BOOST_REQUIRE(counts.size() == 2u);
  BOOST_TEST(counts[0].count == 2);
  BOOST_TEST(counts[1].type == "b");
}

BOOST_AUTO_TEST_CASE(forget_writes_tombstones_and_reconcile_drops_the_stale) {
  daily_stats s;
  s.set_live(1, 0);
  s.set_live(2, 0);
  s.count({1, "a", may1, -1}, 0, 0);
  s.count({2, "a", may1, -1}, 0, 1);
  auto first = s.take_changes(id_of(topic::stats_changelog));
  s.forget(1);
  auto second = s.take_changes(id_of(topic::stats_changelog));
  BOOST_REQUIRE(second.size() == 1u);
  BOOST_TEST(second[0].tombstone);
  BOOST_TEST(s.query(of(1)).empty());
  // A node that missed the delete: its restore still has account 1.
  daily_stats late;
  replay(late, first);
  late.set_live(2, 0); // the account table says only 2 lives
  late.reconcile();
  BOOST_TEST(late.query(of(1)).empty());
  BOOST_TEST(late.query(of(2)).size() == 1u);
  auto tombstones = late.take_changes(id_of(topic::stats_changelog));
  BOOST_TEST(tombstones.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failed_commits_are_written_again) {
  daily_stats s;
  s.set_live(1, 0);
  s.count({1, "a", may1, -1}, 0, 0);
  auto records = s.take_changes(id_of(topic::stats_changelog));
  s.retry(records);
  s.count({1, "a", may1, -1}, 0, 1);
  auto again = s.take_changes(id_of(topic::stats_changelog));
  BOOST_REQUIRE(again.size() == 2u);
  BOOST_TEST(again[0].value.find("\"count\":2") != std::string::npos);
  BOOST_TEST(again[1].value == "{\"eventsOffset\":2}");
}

BOOST_AUTO_TEST_CASE(count_keys_hold_id_day_and_type) {
  auto key = daily_stats::count_key(1, 19844, "login");
  BOOST_TEST(key.size() == 8u + 4u + 5u);
  BOOST_TEST(decode_long_key(key.substr(0, 8)).value() == 1);
  BOOST_TEST(key.substr(12) == "login");
}

// Another writer's changelog key with a type the API refuses (not even
// UTF-8, say) is skipped: served, it made the statistics' JSON invalid
// (tests/fuzz/stats_changelog).
BOOST_AUTO_TEST_CASE(restore_skips_types_the_api_refuses) {
  daily_stats s;
  in_record r;
  r.value = R"({"count":2,"eventsSince":0})";
  for (std::string type :
       {std::string{"\xe2"}, std::string{"caf\xc3\xa9"}, std::string{"a b"},
        std::string(65, 'x')}) {
    r.key = daily_stats::count_key(1, 19844, type);
    BOOST_TEST((s.restore(r, 0) == record_fault::bad_type));
  }
  r.key = daily_stats::count_key(1, 19844, ""); // no type at all
  BOOST_TEST((s.restore(r, 0) == record_fault::bad_key));
  BOOST_TEST(s.query(of(1)).empty());
  r.key = daily_stats::count_key(1, 19844, "login");
  BOOST_TEST(!s.restore(r, 0).has_value());
  auto counts = s.query(of(1));
  BOOST_REQUIRE(counts.size() == 1u);
  BOOST_TEST(counts[0].count == 2);
}

// Poison on the changelog: each is skipped with its reason, and the counts
// restored before it stay as they were.
BOOST_AUTO_TEST_CASE(restore_skips_poison_records) {
  daily_stats s;
  in_record good;
  good.key = daily_stats::count_key(1, 19844, "login");
  good.value = R"({"count":3,"eventsSince":0})";
  good.partition = partition_for(encode_long_key(1), 4);
  BOOST_TEST(!s.restore(good, 4).has_value());
  auto poison = [&](std::string key, std::string value, int32_t partition) {
    in_record r = good;
    r.key = std::move(key);
    r.value = std::move(value);
    r.partition = partition;
    return s.restore(r, 4);
  };
  BOOST_TEST((poison(good.key, R"({"count":-1})", good.partition)
              == record_fault::bad_count));
  BOOST_TEST((poison(good.key, "{", good.partition)
              == record_fault::undecodable));
  BOOST_TEST((poison(good.key, good.value, (good.partition + 1) % 4)
              == record_fault::misplaced));
  BOOST_TEST((poison(daily_stats::count_key(0, 19844, "login"), good.value, 0)
              == record_fault::bad_id));
  BOOST_TEST((poison(daily_stats::count_key(1, 47482, "login"), good.value,
                     good.partition)
              == record_fault::bad_time));
  BOOST_TEST((poison("short", good.value, 0) == record_fault::bad_key));
  BOOST_TEST((poison("__checkpoint", R"({"eventsOffset":-3})", 0)
              == record_fault::bad_count));
  auto counts = s.query(of(1));
  BOOST_REQUIRE(counts.size() == 1u);
  BOOST_TEST(counts[0].count == 3);
  BOOST_TEST(s.next_offset(0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
