#pragma once

/// Daily counts per account and event type, and their changelog. Counts live
/// in tumbling one-day windows aligned to UTC midnight, by event time, and
/// never expire. Changelog records (compacted topic, partition = the events
/// partition of the account):
///   count:      key = id (8 bytes BE) + day (4 bytes BE, days since epoch)
///               + type (UTF-8), value = {"accountId","day","type","count",
///               "eventsSince"}; a tombstone forgets the window.
///   checkpoint: key = "__checkpoint", value = {"eventsOffset": N}: the
///               counts in this partition reflect exactly the events before
///               offset N. Counts and checkpoint are written in one Kafka
///               transaction, so the changelog always holds a consistent cut.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "src/model.hpp"
#include "src/record_checks.hpp"
#include "src/records.hpp"

namespace logbase {

class daily_stats {
public:
  /// Counts one event read at (partition, offset), if it belongs to a live
  /// account's current incarnation; moves the partition's checkpoint on.
  void count(const event& e, int32_t partition, int64_t offset);

  /// Moves the checkpoint past a record that is no event (undecodable).
  void skip(int32_t partition, int64_t offset);

  /// The account is live (again) with this incarnation.
  void set_live(int64_t account_id, int64_t events_since);

  /// The account is gone: forget its counts (tombstones in the changelog).
  void forget(int64_t account_id);

  /// Another node owns `partition` now: its accounts' counts and its
  /// checkpoint leave memory (not the changelog). `in_partition` tells an
  /// account's partition.
  template <class InPartition>
  void drop_partition(int32_t partition, InPartition in_partition) {
    for (auto i = accounts_.begin(); i != accounts_.end();)
      i = in_partition(i->first) ? accounts_.erase(i) : std::next(i);
    for (auto i = changed_.begin(); i != changed_.end();)
      i = in_partition(std::get<0>(*i)) ? changed_.erase(i) : std::next(i);
    next_offset_.erase(partition);
    moved_.erase(partition);
  }

  /// After the account table is restored: accounts not live, or counted for
  /// an earlier incarnation, are forgotten.
  void reconcile();

  /// Reads one changelog record back (restore), unless it makes no sense
  /// for a changelog of `partitions` partitions: then says why.
  std::optional<record_fault> restore(const in_record& r, int32_t partitions);

  /// Next events offset to read in `partition`.
  int64_t next_offset(int32_t partition) const;

  /// Daily counts of one account, by day then type.
  std::vector<daily_count> query(const stats_query& q) const;

  /// The changelog records for everything changed since the last call,
  /// with the checkpoints of the partitions that moved. Empty if nothing.
  std::vector<out_record> take_changes(uint8_t changelog_topic_id);

  /// Whether `take_changes` would give anything.
  bool has_changes() const {
    return !changed_.empty() || !moved_.empty();
  }

  /// Marks records taken by `take_changes` as changed again (their commit
  /// failed; counts are absolute, so writing them again is safe).
  void retry(const std::vector<out_record>& records);

  size_t windows() const;

  static std::string count_key(int64_t account_id, int32_t day,
                               const std::string& type);
  static constexpr std::string_view checkpoint_key = "__checkpoint";

private:
  using window = std::pair<int32_t, std::string>; // day, type

  struct account_counts {
    int64_t events_since = 0;
    std::map<window, int64_t> counts;
  };

  std::unordered_map<int64_t, account_counts> accounts_;
  std::unordered_map<int64_t, int64_t> live_; ///< id → events_since
  std::set<std::tuple<int64_t, int32_t, std::string>> changed_;
  std::map<int32_t, int64_t> next_offset_;
  std::set<int32_t> moved_; ///< partitions whose checkpoint moved
};

} // namespace logbase
