#pragma once

/// How far this node's restores are, as plain arithmetic (no clock, no
/// threads: times are passed in). A restore is a partition a store reads
/// from where it stands up to the end the partition had when reading began
/// (the event index from `events`, the statistics from their changelog and
/// then `events` from their checkpoint, the account table, …). Restores
/// that overlap or follow each other closely form one episode: the start-up
/// log shows a progress line every few seconds while one runs and one line
/// when it is over.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace logbase {

/// Records per second, 0 when no time passed.
double records_per_second(int64_t records, int64_t elapsed_ns);

/// Seconds until `remaining` records are read at `rate`; none when nothing
/// is being read.
std::optional<double> eta_seconds(int64_t remaining, double rate);

/// A duration for people: `850 ms`, `12.5 s`, `3 min 5 s`, `1 h 2 min`.
std::string format_duration(double seconds);

class restore_progress {
public:
  /// Progress lines this far apart (the first one this long after the
  /// episode began); an episode ends once nothing has restored for
  /// `settle_ns` (so that a store's second phase, say the statistics'
  /// `events` after their changelog, belongs to the same episode).
  restore_progress(int64_t line_interval_ns, int64_t settle_ns);

  /// One store's share: partitions restoring now, offsets still to read in
  /// them, records read in this episode.
  struct share {
    int32_t partitions = 0;
    int64_t remaining = 0;
    int64_t records = 0;
  };

  /// A partition is about to be read, its end not known yet: the episode
  /// is not over until it begins (or finishes: nothing to restore).
  void expect(const std::string& store, uint8_t topic_id, int32_t partition,
              int64_t now_ns);

  /// While held (this node waits for the group to give it partitions,
  /// which it then restores), the episode does not end; released, it may
  /// end `settle_ns` later.
  void hold(bool on, int64_t now_ns);

  /// A partition starts restoring: `next` is the first offset to read,
  /// `end` the partition's end then. Taken again, it starts afresh.
  void begin(const std::string& store, uint8_t topic_id, int32_t partition,
             int64_t next, int64_t end, int64_t now_ns);

  /// Whether the partition is restoring now.
  bool restoring(const std::string& store, uint8_t topic_id,
                 int32_t partition) const;

  /// The partition was read up to `next`, `records` more records of it.
  void advance(const std::string& store, uint8_t topic_id, int32_t partition,
               int64_t next, int64_t records);

  /// The partition reached its end (or was let go).
  void finish(const std::string& store, uint8_t topic_id, int32_t partition,
              int64_t now_ns);

  /// A store's share (zero for one not seen).
  share of(const std::string& store) const;

  int32_t partitions() const;
  int64_t remaining() const;
  int64_t records() const;

  /// Whether an episode is under way (restoring, or its final line not
  /// written yet).
  bool active() const {
    return active_;
  }

  /// The progress line due now, if one is: partitions, records so far, the
  /// rate since the last line and the time left at that rate.
  std::optional<std::string> progress_line(int64_t now_ns);

  /// The line that ends the episode, once it has settled and is not held:
  /// records read per store, time and mean rate (none for an episode
  /// that restored nothing). The next `begin` opens a new episode.
  std::optional<std::string> final_line(int64_t now_ns);

private:
  struct partition_state {
    int64_t next = 0;
    int64_t end = 0;
    bool expected = false; ///< its end not known yet
  };

  /// Starts an episode unless one is under way.
  void open(int64_t now_ns);
  using key = std::tuple<std::string, uint8_t, int32_t>;

  int64_t line_interval_ns_;
  int64_t settle_ns_;
  std::map<key, partition_state> restoring_;
  /// Records per store in this episode (also of partitions finished).
  std::map<std::string, int64_t> records_;
  bool active_ = false;
  bool holding_ = false;
  int64_t started_ns_ = 0;
  int64_t last_finish_ns_ = 0;
  int64_t last_line_ns_ = 0;
  int64_t records_at_last_line_ = 0;
  int32_t partitions_seen_ = 0;
};

} // namespace logbase
