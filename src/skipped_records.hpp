#pragma once

/// Reports records a reader skips: each is counted in /metrics, and logged
/// with topic/partition/offset, but at most `burst` lines per `period` per
/// reader, so that a topic full of poison cannot flood the log; the next
/// line written says how many went unlogged.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/record_checks.hpp"
#include "src/topics.hpp"

namespace logbase {

class skipped_records {
public:
  explicit skipped_records(std::string component, int burst = 10,
                           std::chrono::seconds period = std::chrono::seconds{
                             10});

  /// Counts the record at `topic_name`/`partition`@`offset` and logs it
  /// unless this period's lines are used up; true if it was logged.
  bool report(topic t, record_fault why, std::string_view topic_name,
              int32_t partition, int64_t offset, int64_t now_ns);
  bool report(topic t, record_fault why, std::string_view topic_name,
              int32_t partition, int64_t offset);

  /// Skipped since the last line that was written (not logged yet).
  int64_t unlogged() const {
    return unlogged_;
  }

private:
  std::string component_;
  int burst_;
  int64_t period_ns_;
  int64_t period_start_ns_ = 0;
  int lines_ = 0;
  int64_t unlogged_ = 0;
};

} // namespace logbase
