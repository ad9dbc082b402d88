#pragma once

/// The windowed statistics aggregator: counts `events` per account, UTC day
/// and type (see daily_stats.hpp for windows and changelog format). At start
/// it restores from its changelog, never from `events` (those expire), then
/// reads `events` from the checkpoint on. Every `stats-commit-interval-ms`
/// it writes what changed, with the new checkpoints, in one transaction.

#include <set>

#include <caf/typed_event_based_actor.hpp>

#include "config.hpp"
#include "daily_stats.hpp"
#include "interfaces.hpp"
#include "kafka_admin.hpp"
#include "offset_waiters.hpp"

namespace logbase {

struct stats_state {
  static inline const char* name = "stats";

  stats_actor::pointer self = nullptr;
  config cfg;
  topic_layout layout;
  kafka_bridge_actor bridge;

  daily_stats stats;
  /// Reads waiting for an event to be counted.
  offset_waiters<caf::typed_response_promise<ok_atom>> counted;
  std::set<int32_t> changelog_restored;
  bool accounts_known = false;
  bool reading_events = false;
  std::set<int32_t> events_caught_up;
  bool committing = false;
  /// Why Kafka cannot be read, if it cannot: /ready stays 503.
  std::string feed_error;

  void on_records(const record_batch& batch);
  void on_accounts(const std::vector<account>& live,
                   const std::vector<int64_t>& gone, bool snapshot);

  /// Starts reading `events` once the changelog and the accounts are known.
  void maybe_read_events();

  /// Commits what changed (one transaction in flight at a time).
  void commit();

  /// The events partition an account key (id first) belongs to.
  int32_t partition_of_account_key(const std::string& key) const;

  /// The `events` (and changelog) partitions this node owns.
  std::vector<int32_t> owned;

  int32_t owned_count() const {
    return static_cast<int32_t>(owned.size());
  }

  bool ready() const {
    return reading_events
           && static_cast<int32_t>(events_caught_up.size()) >= owned_count();
  }

  int32_t restored_partitions() const {
    return static_cast<int32_t>(changelog_restored.size()
                                + events_caught_up.size());
  }

  int32_t total_partitions() const {
    return 2 * owned_count();
  }
};

stats_actor::behavior_type
stats(stats_actor::stateful_pointer<stats_state> self, config cfg,
      topic_layout layout, kafka_bridge_actor bridge);

} // namespace logbase
