#pragma once

// Test support: the real server binary as a child process, and plain Kafka
// clients to look at (or write to) the topics behind its back.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <httplib.h>

namespace logbase::test {

/// The exit status tools/test --sanitize gives the sanitizers (exitcode= in
/// ASAN_OPTIONS and UBSAN_OPTIONS, with halt_on_error=1): a process that
/// ends with it wrote a report (a leak at exit included).
inline constexpr int sanitizer_exit_code = 86;

/// The test broker (tools/test starts it and exports its address).
std::string bootstrap();

/// A name no other test run uses: topics and app ids stay apart.
std::string unique_name(const std::string& prefix);

/// A TCP port nobody listens on right now.
uint16_t free_port();

/// Topic names and app id of one isolated logbase deployment, and the
/// broker its servers use.
struct deployment {
  std::string bootstrap_servers = bootstrap();
  std::string app_id = unique_name("app");
  std::string accounts_topic = unique_name("accounts");
  std::string events_topic = unique_name("events");

  std::string changelog_topic() const {
    return app_id + "-daily_stats_windowed-changelog";
  }
  std::string id_blocks_topic() const {
    return accounts_topic + ".id-blocks";
  }
  std::vector<std::string> args() const;

  /// Creates `events` ahead of the server with a short retention and
  /// small segments, so that the test broker (checking every second)
  /// deletes old events during a test; returns the server flags to match.
  std::vector<std::string> with_short_retention(int64_t retention_ms) const;
};

/// Where a server runs: the address it serves HTTP on, and the network
/// namespace it runs in (none: the test's own).
struct host {
  std::string address = "127.0.0.1";
  std::string netns;
};

/// build/logbase running as a child process.
class server {
public:
  /// With a `log_file`, the server's output goes there (appended), not to
  /// the test's.
  server(const deployment& d, std::vector<std::string> extra_args = {},
         bool wait = true, uint16_t port = 0,
         const std::string& log_file = {}, host where = {});
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Waits until GET /ready answers 200; false on timeout or exit.
  bool wait_ready(std::chrono::seconds timeout = std::chrono::seconds(60));

  /// SIGTERM and wait; returns the exit status.
  int stop();

  /// SIGKILL and wait: a crash.
  void kill9();

  /// Sends the server a signal (SIGHUP: re-read the tokens file).
  void signal(int sig);

  bool running();

  /// How the process ended: its exit status, 128 + the signal that ended
  /// it, or -1 while it runs (or if it was never started).
  int exit_status() const {
    return exit_status_;
  }

  httplib::Client client() const;
  uint16_t port() const {
    return port_;
  }

private:
  /// Records that the child ended; a sanitizer's exit status fails the test.
  void reaped(int status);

  uint16_t port_;
  host where_;
  std::string log_file_;
  int pid_ = -1;
  int exit_status_ = -1;
};

/// A consumed record, as a test sees it.
struct raw_record {
  int32_t partition;
  int64_t offset;
  std::string key;
  std::optional<std::string> value; ///< nothing: a tombstone
  int64_t timestamp_ms;
  std::vector<std::pair<std::string, std::string>> headers = {};
};

/// Every record of a topic (read_committed), read to the end.
std::vector<raw_record> read_topic(const std::string& topic);

/// Produces one record (acks=all, murmur2 placement unless a `partition`
/// is given), with headers (name, value); returns its partition.
int32_t produce(
  const std::string& topic, const std::string& key,
  const std::optional<std::string>& value, int64_t timestamp_ms = 0,
  const std::vector<std::pair<std::string, std::string>>& headers = {},
  int32_t partition = -1);

/// Produces many records with one producer (key, value pairs).
void produce_many(const std::string& topic,
                  const std::vector<std::pair<std::string, std::string>>& kvs);

/// Creates a topic with configs through the admin API.
void create_topic(const std::string& topic, int partitions,
                  const std::map<std::string, std::string>& configs);

/// A topic as the broker describes it to a client of the test's own (not
/// logbase's admin code, which a test of it must not trust).
struct topic_description {
  int partitions = 0; ///< 0: the broker does not know the topic
  std::map<std::string, std::string> configs; ///< every config, defaults too
  /// The configs the topic sets itself rather than taking the broker's
  /// default: what its creator asked for.
  std::set<std::string> set_on_topic;
};

/// Describes a topic (metadata and DescribeConfigs); throws on failure.
topic_description describe_topic(const std::string& topic);

/// POST /accounts; fails the test unless 201; returns the id.
int64_t create_account(httplib::Client& c, const std::string& name);

/// The `error` code of a JSON error body.
std::string error_code_of(const std::string& body);

/// Posts events (a JSON body); returns the status.
int post_events(httplib::Client& c, int64_t id, const std::string& body);

/// Now as an ISO-8601 instant, shifted by `offset`.
std::string iso_now(std::chrono::milliseconds offset = {});

/// The value of a metric line in /metrics text (-1 if absent).
int64_t metric(const std::string& text, const std::string& name);

/// GET `path`; fails the test unless 200; returns the body.
std::string get_ok(httplib::Client& c, const std::string& path);

/// The sum of the counts in a statistics body.
int64_t sum_of_counts(const std::string& statistics_body);

/// A metric of a running server (-1 if absent).
int64_t metric_of(server& s, const std::string& name);

/// The `events` partitions the consumer group gave a running server (its
/// /metrics); empty if it cannot tell.
std::set<int32_t> partitions_owned(server& s);

/// Waits until the nodes are ready and the group gave each of `partitions`
/// to exactly one of them; whether that came within `timeout`.
bool wait_owned(const std::vector<server*>& nodes, int32_t partitions,
                std::chrono::milliseconds timeout);

/// Waits until the nodes are ready, the group gave each of `partitions`
/// to exactly one of them, and every node can answer for every partition
/// (its own or a linked peer's); whether that came within `timeout`.
bool wait_settled(const std::vector<server*>& nodes, int32_t partitions,
                  std::chrono::milliseconds timeout);

/// Settled, with a share for every node: a joining node gets its share
/// only in the rebalance after the one that took it from others
/// (cooperative), and the nodes are settled in between too.
bool wait_balanced(const std::vector<server*>& nodes, int32_t partitions,
                   std::chrono::milliseconds timeout);

/// Each node's /ready status, partitions owned and partitions routable, one
/// line per node: what a failed wait_* leaves to read.
std::string ownership_report(const std::vector<server*>& nodes);

/// The node (index in `nodes`) owning an account, or -1.
int owner_index(const std::vector<server*>& nodes, int64_t account_id,
                int32_t partitions = 4);

/// Asks `done` every `step` until it says yes or `timeout` passes; whether
/// it said yes. Tests wait for asynchronous effects with it, never sleep.
bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(50));

/// Waits until the broker's retention has deleted every record of a topic.
bool wait_until_empty(const std::string& topic,
                      std::chrono::seconds timeout = std::chrono::seconds(60));

/// A whole file's text ("" if it cannot be read).
std::string read_file(const std::string& path);

/// Count occurrences of a needle.
size_t count_of(const std::string& haystack, const std::string& needle);

} // namespace logbase::test
