#pragma once

/// Per-account index of the `events` topic, in memory. Listing an account
/// costs in proportion to that account's events. An indexed event takes one
/// 24-byte entry (time, offset, interned type) plus the vector's slack; type
/// names are stored once.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model.hpp"

namespace logbase {

class event_index {
public:
  /// Indexes an event read at `offset` of its account's partition.
  void add(const event& e, int64_t offset);

  /// Events of `q.account_id` in [from, to), of `q.type` if set, from
  /// `q.events_since` on, ordered by time then arrival, at most `q.limit`.
  std::vector<event> query(const event_query& q) const;

  /// Drops every event of an account (deleted).
  void forget(int64_t account_id);

  /// Drops events that happened before `horizon_ns`; returns how many.
  size_t expire(int64_t horizon_ns);

  /// Number of indexed events.
  size_t size() const {
    return size_;
  }

  /// Bytes held by entries (capacity, not size), for /metrics.
  size_t entry_bytes() const;

private:
  struct entry {
    int64_t happened_at_ns;
    int64_t offset;
    uint32_t type_id;
  };

  uint32_t intern(const std::string& type);

  std::unordered_map<int64_t, std::vector<entry>> by_account_;
  std::vector<std::string> types_;
  std::unordered_map<std::string, uint32_t> type_ids_;
  size_t size_ = 0;
};

} // namespace logbase
