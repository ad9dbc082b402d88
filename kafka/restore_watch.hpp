#pragma once

/// The node's restores as its Kafka feeds see them (each feed reads for
/// one store, named after the actor it feeds): progress in `/metrics`
/// (partitions, offsets to go, records read, per store) and in the log,
/// a line every few seconds while a restore runs and one when it is over.
///
/// No timer of its own: the feeds' threads call `tick` as they go round
/// (they wake at least once a second anyway, to see whether to stop), and
/// once no restore is under way a tick is one atomic load.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "src/metrics.hpp"
#include "src/restore_progress.hpp"

namespace logbase {

class restore_watch {
public:
  restore_watch();

  /// Records read in one partition, up to `next`.
  struct step {
    uint8_t topic_id;
    int32_t partition;
    int64_t next;
    int64_t records;
  };

  /// A partition to restore: from `next` up to `end`.
  struct span {
    uint8_t topic_id;
    int32_t partition;
    int64_t next;
    int64_t end;
  };

  /// Partitions are about to be read (their ends are asked for first).
  void expect(const std::string& store,
              const std::vector<std::pair<uint8_t, int32_t>>& parts);

  /// Holds the end of the restore while this node waits for the group to
  /// give it partitions (which it then restores).
  void hold(bool on);

  /// Partitions start restoring.
  void begin(const std::string& store, const std::vector<span>& parts);

  /// Records read; partitions that do not restore are ignored.
  void advance(const std::string& store, const std::vector<step>& steps);

  /// A partition reached its end, or was let go.
  void finish(const std::string& store, uint8_t topic_id, int32_t partition);

  /// Logs the line due now, if one is.
  void tick();

private:
  /// Sets the store's gauges from the progress (mutex_ held).
  void publish(const std::string& store);

  std::mutex mutex_;
  restore_progress progress_;
  std::map<std::string, metrics::restore_instruments> instruments_;
  /// Mirrors progress_.active(): ticks skip the lock when it is false.
  std::atomic<bool> active_{false};
};

} // namespace logbase
