#pragma once

/// Process-wide counters and gauges for `/metrics` (Prometheus text format).
/// Instrumentation only: no component reads another's numbers to decide.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "topics.hpp"

namespace logbase {

struct metrics {
  /// Records skipped because they could not be decoded, per topic.
  std::array<std::atomic<int64_t>, all_topics.size()> undecodable_records{};
  std::atomic<int64_t> accounts{0};
  std::atomic<int64_t> account_writes{0};
  std::atomic<int64_t> events_published{0};
  std::atomic<int64_t> events_indexed{0};
  std::atomic<int64_t> event_index_bytes{0};
  std::atomic<int64_t> events_expired{0};
  std::atomic<int64_t> idempotency_keys{0};
  std::atomic<int64_t> idempotent_replays{0};
  std::atomic<int64_t> key_consumers{0};
  std::atomic<int64_t> stream_readers{0};
  std::atomic<int64_t> streams_dropped_slow{0};
  std::atomic<int64_t> stats_windows{0};
  std::atomic<int64_t> stats_commits{0};
  std::atomic<int64_t> stats_commit_failures{0};
  std::atomic<int64_t> produce_failures{0};
  std::atomic<int64_t> peers_connected{0};
  std::atomic<int64_t> partitions_routable{0};
  std::atomic<int64_t> partitions_standby{0};
  std::atomic<int64_t> standby_takeovers{0};
  std::atomic<int64_t> node_links_refused{0};
  std::atomic<int64_t> http_requests{0};
  std::atomic<int64_t> http_inflight{0};
  std::atomic<int64_t> http_overloaded{0};
  std::atomic<int64_t> http_timeouts{0};
  std::atomic<int64_t> http_unauthorized{0};
  std::atomic<int64_t> http_forbidden{0};
  std::atomic<int64_t> http_rate_limited{0};
  std::atomic<int64_t> http_slow_requests_cut{0};
  std::atomic<int64_t> http_threads{0};
  std::atomic<int64_t> http_streams{0};
  std::atomic<int64_t> http_errors_4xx{0};
  std::atomic<int64_t> http_errors_5xx{0};

  /// The `events` partitions the group gave this node (the node sets it).
  void set_owned_partitions(std::vector<int32_t> partitions);

  /// The exposition text.
  std::string render() const;

private:
  mutable std::mutex owned_mutex_;
  std::vector<int32_t> owned_partitions_;

public:
};

/// The one instance of this process.
metrics& global_metrics();

} // namespace logbase
