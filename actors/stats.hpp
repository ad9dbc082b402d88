#pragma once

/// The windowed statistics aggregator: counts `events` per account, UTC day
/// and type (see daily_stats.hpp for windows and changelog format). At start
/// it restores from its changelog, never from `events` (those expire), then
/// reads `events` from the checkpoint on. Every `stats-commit-interval-ms`
/// while something changed it writes that, with the new checkpoints, in
/// one transaction; with nothing to write it sets no timer.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "src/config.hpp"
#include "src/daily_stats.hpp"
#include "messages/interfaces.hpp"
#include "src/topics.hpp"
#include "src/offset_waiters.hpp"
#include "src/skipped_records.hpp"

namespace logbase {

struct stats_state {
  static inline const char* name = "stats";

  stats_actor::pointer self = nullptr;
  config cfg;
  topic_layout layout;
  kafka_bridge_actor bridge;

  daily_stats stats;
  skipped_records skipped{"stats"};
  /// Reads waiting for an event to be counted.
  offset_waiters<caf::typed_response_promise<ok_atom>> counted;
  std::set<int32_t> changelog_restored;
  bool accounts_known = false;
  /// Owned partitions whose `events` are being read (after their
  /// changelog), and those read to their end.
  std::set<int32_t> events_reading;
  std::set<int32_t> events_caught_up;
  bool committing = false;
  /// A tick is on its way (none while nothing is left to commit).
  bool ticking = false;
  /// Released partitions whose counts are still being committed (still
  /// read by the feeds until then).
  std::set<int32_t> releasing;
  /// What waits for the commit in flight to be answered.
  std::vector<std::function<void()>> after_commit;
  /// Why Kafka cannot be read, if it cannot: /ready stays 503.
  std::string feed_error;

  void on_records(const record_batch& batch);
  void on_accounts(const std::vector<account>& live,
                   const std::vector<int64_t>& gone, bool snapshot);

  /// Starts reading `events` of each partition once its changelog and the
  /// accounts are known.
  void maybe_read_events();

  /// Commits what changed (one transaction in flight at a time); false when
  /// nothing was sent.
  bool commit();

  /// Runs what waited for the commit that was just answered.
  void run_after_commit();

  /// Runs `f` once what changed so far is committed (or failed to be).
  void after_changes_committed(std::function<void()> f);

  /// Takes partitions; releases others once their counts are committed.
  void own(const std::vector<int32_t>& taken,
           const std::vector<int32_t>& released,
           caf::typed_response_promise<ok_atom> rp);

  /// Partitions of other nodes whose changelog is followed here too (a warm
  /// copy of their counts), and those taken over from that copy: their
  /// `events` are read once the changelog is read to the end the broker
  /// reported when they were taken (-1 until it answers). The changelog's
  /// end as this node's consumer last reached it.
  std::set<int32_t> standby;
  /// Warm copies asked for while the partition was still being released:
  /// followed once the release is done (the node asks only once).
  std::set<int32_t> standby_after_release;
  std::map<int32_t, int64_t> promoting;
  std::map<int32_t, int64_t> changelog_end_seen;

  /// Follows and stops following partitions of others.
  void stand_by(const std::vector<int32_t>& taken,
                const std::vector<int32_t>& released);

  /// Follows those of `taken` that are neither owned nor being released.
  void follow_standbys(const std::vector<int32_t>& taken);

  /// A partition taken over from the warm copy: asks for its changelog's
  /// end.
  void promote(int32_t partition);

  /// Reads a promoted partition's events once its changelog is read to
  /// that end.
  void check_promoted(int32_t partition);

  /// Forgets the counts of partitions no longer read.
  void forget_partition(int32_t partition);

  /// Why an account's counts cannot be served here now, if they cannot.
  std::optional<caf::error> refusal(int64_t account_id) const;

  /// The events partition an account key (id first) belongs to.
  int32_t partition_of_account_key(const std::string& key) const;

  /// The `events` (and changelog) partitions this node owns, once the
  /// group has said which.
  std::set<int32_t> owned;
  bool owning_known = false;

  int32_t owned_count() const {
    return static_cast<int32_t>(owned.size());
  }

  bool ready() const {
    return owning_known
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
