#pragma once

/// When a consumer fetches the partitions it has read to their end. This
/// node hands its own writes to the event log and the statistics from their
/// delivery reports, so fetching them back is waste: at one event per POST
/// each consumer fetched every record on its own, about as costly to the
/// broker and to librdkafka as the writes themselves. A followed partition
/// is paused after each fetch that brought it something and resumed an
/// interval later: one fetch per interval under writes, while others'
/// writes show up within that interval. An idle partition stays in its
/// broker long poll as before (nothing comes, so nothing pauses it).

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace logbase {

class follow_schedule {
public:
  /// (topic id, partition)
  using key = std::pair<uint8_t, int32_t>;

  explicit follow_schedule(int64_t interval_ns) : interval_ns_(interval_ns) {
    // nop
  }

  /// `k` was read to its end: from now on it is followed.
  void reached_end(key k) {
    followed_.try_emplace(k);
  }

  /// Something of `k` came at `now_ns`: true when it is to be paused now
  /// (followed and fetching).
  bool pause_after(key k, int64_t now_ns);

  /// Paused partitions due to fetch again at `now_ns` (fetching from now).
  std::vector<key> due(int64_t now_ns);

  /// Nanoseconds from `now_ns` until the next paused partition is due; -1
  /// when none is paused.
  int64_t wait_ns(int64_t now_ns) const;

  /// No longer read (unassigned).
  void forget(key k) {
    followed_.erase(k);
  }

private:
  struct state {
    bool paused = false;
    int64_t resume_at_ns = 0;
  };

  int64_t interval_ns_;
  std::map<key, state> followed_;
};

} // namespace logbase
