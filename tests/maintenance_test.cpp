// tools/reset and tools/purge (issue #12) against the real broker: each
// refuses while a node of its app id runs, says what is lost, deletes
// nothing unless confirmed, and after a reset the statistics come back
// from `events`.

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "pki.hpp"
#include "support.hpp"
#include "src/time.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

struct outcome {
  int status = -1;
  std::string output;
};

/// `tools/NAME` with the deployment's flags and `extra`, `answer` on its
/// standard input.
outcome run_tool(const std::string& name, const deployment& d,
                 const std::string& extra, const std::string& answer) {
  pki dir; // a temporary folder
  auto in = dir.path("in");
  auto out = dir.path("out");
  std::ofstream{in} << answer << "\n";
  std::string command = std::string{std::getenv("LB_TEST_TOOLS")} + "/" + name;
  for (auto& a : d.args())
    command += " '" + a + "'";
  command += " " + extra + " <" + in + " >" + out + " 2>&1";
  outcome o;
  auto raw = std::system(command.c_str());
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.output = read_file(out);
  BOOST_CHECK_MESSAGE(o.status != sanitizer_exit_code, o.output);
  return o;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

/// Runs the tool (not confirming) until no node of the app id is left in
/// its group: a stopped node's membership ends with its session.
outcome once_nodes_are_gone(const std::string& name, const deployment& d) {
  outcome o;
  wait_until([&] {
    o = run_tool(name, d, "", "no");
    return o.status != 3;
  }, 60s, 1s);
  return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(maintenance_test)

BOOST_AUTO_TEST_CASE(a_reset_says_what_is_lost_and_counts_come_back_from_events) {
  deployment d;
  int64_t id = 0;
  {
    server s{d};
    auto c = s.client();
    id = create_account(c, "reset");
    for (int i = 0; i < 3; ++i)
      BOOST_REQUIRE_EQUAL(post_events(c, id, R"({"type":"login"})"), 201);
    auto path = "/accounts/" + std::to_string(id) + "/statistics";
    BOOST_REQUIRE(wait_until([&] { return sum_of_counts(get_ok(c, path)) == 3; },
                             10s));
    // A window of a day long past retention, as the original app's counts
    // of a year ago would be: its events are gone.
    auto old_day = day_of(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count())
                   - 400;
    std::string key = encode_long_key(id);
    for (int shift : {24, 16, 8, 0})
      key += static_cast<char>((old_day >> shift) & 0xff);
    produce(d.changelog_topic(), key + "login",
            R"({"accountId":)" + std::to_string(id) + R"(,"day":")"
              + format_day(old_day)
              + R"(","type":"login","count":7,"eventsSince":0})");
    auto running = run_tool("reset", d, "--yes", "");
    BOOST_TEST(running.status == 3, running.output);
    BOOST_TEST(contains(running.output, "running"), running.output);
    BOOST_TEST(!read_topic(d.changelog_topic()).empty());
    BOOST_REQUIRE_EQUAL(s.stop(), 0);
  }
  auto asked = once_nodes_are_gone("reset", d);
  BOOST_TEST(asked.status == 1, asked.output); // "no": nothing deleted
  BOOST_TEST(contains(asked.output, "nothing deleted"), asked.output);
  BOOST_TEST(contains(asked.output, "2 daily windows"), asked.output);
  BOOST_TEST(contains(asked.output, "1 of them are of days before"),
             asked.output);
  BOOST_TEST(contains(asked.output, "LOST"), asked.output);
  BOOST_TEST(contains(asked.output, d.changelog_topic()), asked.output);
  BOOST_TEST(!read_topic(d.changelog_topic()).empty());

  auto done = run_tool("reset", d, "--yes", "");
  BOOST_TEST(done.status == 0, done.output);
  BOOST_TEST(contains(done.output, "deleted 2 topics"), done.output);
  auto again = run_tool("reset", d, "--yes", "");
  BOOST_TEST(contains(again.output, "nothing to reset"), again.output);

  // Rebuilt from `events`: today's three, not the window of long ago.
  server s{d};
  auto c = s.client();
  auto stats = get_ok(c, "/accounts/" + std::to_string(id) + "/statistics");
  BOOST_TEST(sum_of_counts(stats) == 3, stats);
  BOOST_TEST(count_of(stats, "\"day\"") == 1u, stats);
}

BOOST_AUTO_TEST_CASE(a_purge_lists_every_topic_and_deletes_only_when_told) {
  deployment d;
  {
    server s{d};
    auto c = s.client();
    auto id = create_account(c, "purge");
    BOOST_REQUIRE_EQUAL(post_events(c, id, R"({"type":"login"})"), 201);
    auto running = run_tool("purge", d, "--yes", "");
    BOOST_TEST(running.status == 3, running.output);
    BOOST_REQUIRE_EQUAL(s.stop(), 0);
  }
  auto asked = once_nodes_are_gone("purge", d);
  BOOST_TEST(asked.status == 1, asked.output);
  for (auto& t : {d.accounts_topic, d.events_topic, d.id_blocks_topic(),
                  d.changelog_topic(), d.app_id + ".members"})
    BOOST_TEST(contains(asked.output, t), t << " in " << asked.output);
  BOOST_TEST(!read_topic(d.accounts_topic).empty());

  auto done = run_tool("purge", d, "--yes", "");
  BOOST_TEST(done.status == 0, done.output);
  BOOST_TEST(contains(done.output, "deleted 5 topics"), done.output);
  auto again = run_tool("purge", d, "--yes", "");
  BOOST_TEST(contains(again.output, "nothing to purge"), again.output);
}

BOOST_AUTO_TEST_SUITE_END()
