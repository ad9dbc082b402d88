// Poison records: records other producers put on logbase's topics that
// decode but make no sense. A plain producer writes each kind onto the real
// broker behind the server's back; the server skips them, counts them by
// reason, logs where they are, and keeps serving exact figures.

#include <chrono>
#include <optional>
#include <sstream>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// The value of the sample of `name` whose labels hold every one of `has`
/// (0 if there is none: counters appear at their first count).
int64_t sample(const std::string& text, const std::string& name,
               const std::vector<std::string>& has) {
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(name + "{"))
      continue;
    bool all = true;
    for (auto& h : has)
      all = all && line.find(h) != std::string::npos;
    if (all)
      return std::stoll(line.substr(line.rfind(' ') + 1));
  }
  return 0;
}

int64_t poison(server& s, const std::string& topic, const std::string& why) {
  auto c = s.client();
  auto res = c.Get("/metrics");
  if (!res || res->status != 200)
    return -1;
  auto labels = std::vector<std::string>{"topic=\"" + topic + "\""};
  if (why == "misplaced")
    return sample(res->body, "logbase_misplaced_records_total", labels);
  if (why == "undecodable")
    return sample(res->body, "logbase_undecodable_records_total", labels);
  labels.push_back("reason=\"" + why + "\"");
  return sample(res->body, "logbase_poison_records_total", labels);
}

std::string event_value(int64_t account, const std::string& type,
                        const std::string& happened_at) {
  return "{\"happenedAt\":" + happened_at + ",\"accountId\":"
         + std::to_string(account) + ",\"type\":\"" + type + "\"}";
}

std::string now_seconds() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now)
                          .count());
}

/// What a client sees of an account: its body, events and statistics.
struct served {
  std::string account;
  std::string events;
  int64_t counted = 0;
};

served served_of(server& s, int64_t id) {
  auto c = s.client();
  auto path = "/accounts/" + std::to_string(id);
  return served{get_ok(c, path), get_ok(c, path + "/events"),
                sum_of_counts(get_ok(c, path + "/statistics"))};
}

/// The expected count of each (topic, reason) once the server read them.
using expectations = std::vector<std::tuple<std::string, std::string, int>>;

bool counted_all(server& s, const expectations& expected) {
  for (auto& [topic, why, n] : expected)
    if (poison(s, topic, why) != n)
      return false;
  return true;
}

std::string counts_report(server& s, const expectations& expected) {
  std::string out;
  for (auto& [topic, why, n] : expected)
    out += topic + "/" + why + ": " + std::to_string(poison(s, topic, why))
           + " (want " + std::to_string(n) + ")\n";
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(poison_api_test)

BOOST_AUTO_TEST_CASE(poison_records_are_skipped_counted_logged_and_never_served) {
  deployment d;
  auto log = "poison-" + std::to_string(::getpid()) + ".log";
  std::optional<server> s;
  s.emplace(d, std::vector<std::string>{}, true, 0, log);
  auto c = s->client();
  auto id = create_account(c, "kept");
  auto other = create_account(c, "other");
  BOOST_REQUIRE(post_events(c, id, R"([{"type":"login"},{"type":"login"}])")
                == 201);
  auto before = served_of(*s, id);
  BOOST_REQUIRE(before.counted == 2);

  auto key = encode_long_key(id);
  auto now = now_seconds();
  auto wrong = [](const std::string& k, int32_t partitions) {
    return (partition_for(k, partitions) + 1) % partitions;
  };
  // accounts (10 partitions): a name of 900 KB, ids 0 and -5, a value whose
  // id is not its key's (an impostor of `id`), one on the wrong partition.
  produce(d.accounts_topic, encode_long_key(900001),
          R"({"id":900001,"name":")" + std::string(900 * 1024, 'n') + "\"}");
  produce(d.accounts_topic, encode_long_key(0), R"({"id":0,"name":"zero"})");
  produce(d.accounts_topic, encode_long_key(-5), R"({"id":-5,"name":"neg"})");
  produce(d.accounts_topic, key,
          "{\"id\":" + std::to_string(other) + ",\"name\":\"impostor\"}");
  auto misplaced_key = encode_long_key(900002);
  produce(d.accounts_topic, misplaced_key,
          R"({"id":900002,"name":"misplaced"})", 0, {},
          wrong(misplaced_key, 10));
  // events (4 partitions): a type of 10 KB, the years 2200, 9999 (past
  // 2262: no nanosecond count holds it, so it does not decode) and 1969, a
  // key of another account, the wrong partition, a burst of garbage.
  auto events_partition = produce(
    d.events_topic, key, event_value(id, std::string(10 * 1024, 't'), now));
  produce(d.events_topic, key, event_value(id, "login", "7258118400"));
  produce(d.events_topic, key, event_value(id, "login", "253402300799"));
  produce(d.events_topic, key,
          event_value(id, "login", "\"1969-12-31T23:59:59Z\""));
  produce(d.events_topic, encode_long_key(other),
          event_value(id, "login", now));
  produce(d.events_topic, key, event_value(id, "login", now), 0, {},
          wrong(key, 4));
  produce_many(d.events_topic,
               std::vector<std::pair<std::string, std::string>>(
                 30, {key, "not json"}));
  // members: a record that names no node, one naming another than its key.
  auto members = d.app_id + ".members";
  produce(members, "ghost", R"({"address":"10.9.9.9:1","partitions":[0],"epoch":9})");
  produce(members, "ghost",
          R"({"node":"phantom","address":"10.9.9.9:1","partitions":[0],"epoch":9})");

  expectations expected{
    {"accounts", "bad_name", 1},      {"accounts", "bad_id", 2},
    {"accounts", "key_mismatch", 1},  {"accounts", "misplaced", 1},
    {"events", "bad_type", 1},        {"events", "bad_time", 2},
    {"events", "key_mismatch", 1},    {"events", "misplaced", 1},
    {"events", "undecodable", 31},    {"members", "undecodable", 1},
    {"members", "no_node", 1}};
  BOOST_TEST_REQUIRE(wait_until([&] { return counted_all(*s, expected); }, 30s),
                     counts_report(*s, expected));

  // Still serving, and exactly what the API wrote: read after a new write,
  // which comes after every poison record in the account's partition.
  BOOST_TEST(post_events(c, id, R"({"type":"login"})") == 201);
  auto after = served_of(*s, id);
  BOOST_TEST(after.account == before.account);
  BOOST_TEST(count_of(after.events, "\"type\"") == 3u);
  BOOST_TEST(after.counted == 3);
  for (auto ghost : {"/accounts/900001", "/accounts/900002", "/accounts/0"})
    BOOST_TEST(c.Get(ghost)->status != 200, ghost);
  BOOST_TEST(count_of(get_ok(c, "/accounts"), "\"id\"") == 2u);
  BOOST_TEST(c.Get("/ready")->status == 200);

  // The changelog is read only at a start: poison it, then restart. A
  // negative count for the account's real window, a count on the wrong
  // partition, a type the API refuses.
  s->stop();
  auto day_key = [&](const std::string& account_key, const std::string& type) {
    auto days = std::stoll(now) / 86400;
    std::string k = account_key;
    for (int shift = 24; shift >= 0; shift -= 8)
      k.push_back(static_cast<char>((days >> shift) & 0xff));
    return k + type;
  };
  auto changelog = d.changelog_topic();
  produce(changelog, day_key(key, "login"), R"({"count":-7,"eventsSince":0})",
          0, {}, events_partition);
  produce(changelog, day_key(key, "login"), R"({"count":70,"eventsSince":0})",
          0, {}, (events_partition + 1) % 4);
  produce(changelog, day_key(key, "bad type!"), R"({"count":1})", 0, {},
          events_partition);
  s.emplace(d, std::vector<std::string>{}, true, 0, log);
  expected.push_back({"daily_stats_windowed-changelog", "bad_count", 1});
  expected.push_back({"daily_stats_windowed-changelog", "misplaced", 1});
  expected.push_back({"daily_stats_windowed-changelog", "bad_type", 1});
  // A restart reads every topic again: the same poison, counted again.
  BOOST_TEST_REQUIRE(wait_until([&] { return counted_all(*s, expected); }, 30s),
                     counts_report(*s, expected));
  auto restarted = served_of(*s, id);
  BOOST_TEST(restarted.account == before.account);
  BOOST_TEST(restarted.events == after.events);
  BOOST_TEST(restarted.counted == 3);
  s->stop();

  // Logged with topic/partition/offset, the garbage burst within the rate
  // limit (10 lines per reader per 10 s; the burst is read in one go).
  auto text = read_file(log);
  BOOST_TEST(count_of(text, "skipped a record at " + d.events_topic + "/"
                              + std::to_string(events_partition) + "@")
             >= 1u);
  BOOST_TEST(count_of(text, ": bad_type") >= 1u);
  BOOST_TEST(count_of(text, ": bad_count") == 1u);
  BOOST_TEST(count_of(text, ": undecodable") < 30u);
  BOOST_TEST(count_of(text, "only counted in /metrics") >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
