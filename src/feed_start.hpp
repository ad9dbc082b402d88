#pragma once

/// Where a consumer starts reading its partitions, once their first and
/// end offsets are known. Partitions with records are read at once;
/// partitions with nothing to read are reported as read to their end right
/// away and joined only after the others are under way. (A fetch that holds
/// only empty partitions waits fetch.wait.max.ms on the broker, and joining
/// all at once races: every restart lost up to half a second to it.)

#include <cstdint>
#include <vector>

#include "src/records.hpp"

namespace logbase {

struct feed_start {
  /// Partitions with records before their end: read from their start.
  std::vector<assignment> read_now;
  /// Partitions at their end: read once the others are fetched.
  std::vector<assignment> read_later;
  /// Ends to report now: everything before `start_offset` is read.
  std::vector<assignment> at_end;
  /// The ends of `read_now` partitions where known (in `start_offset`):
  /// reading the record before it reaches the end.
  std::vector<assignment> ends;
};

/// `first[i]` and `end[i]` are partition `parts[i]`'s first offset and end
/// (-1: unknown; such a partition is read at once from its start, and its
/// end is found by reading). A negative start offset means the first one.
feed_start plan_feed_start(const std::vector<assignment>& parts,
                           const std::vector<int64_t>& first,
                           const std::vector<int64_t>& end);

} // namespace logbase
