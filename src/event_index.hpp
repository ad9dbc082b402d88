#pragma once

/// Per-account index of the `events` topic, in memory. Listing an account
/// costs in proportion to that account's events. An indexed event takes one
/// 24-byte entry (time, offset, interned type) plus the vector's slack; type
/// names are stored once.

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/model.hpp"

namespace logbase {

class event_index {
public:
  /// Indexes an event read at `offset` of its account's partition.
  void add(const event& e, int64_t offset);

  /// Events of `q.account_id` in [from, to), of `q.type` if set, from
  /// `q.events_since` on, ordered by time then arrival, at most `q.limit`.
  std::vector<event> query(const event_query& q) const;

  /// What `query` lists, without building events: `start(n)` once with a
  /// bound on the count (to size ahead), then `f(happened_at_ns, offset,
  /// type)` per event, in order. GET events' JSON is written from this
  /// (event_listing.hpp).
  template <class Start, class F>
  void scan(const event_query& q, Start start, F f) const;

  /// Drops every event of an account (deleted).
  void forget(int64_t account_id);

  /// Every account with indexed events.
  std::vector<int64_t> accounts() const;

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

template <class Start, class F>
void event_index::scan(const event_query& q, Start start, F f) const {
  auto i = by_account_.find(q.account_id);
  if (i == by_account_.end() || q.limit <= 0)
    return start(size_t{0});
  auto& entries = i->second;
  auto first = std::lower_bound(entries.begin(), entries.end(), q.from_ns,
                                [](const entry& e, int64_t t) {
                                  return e.happened_at_ns < t;
                                });
  uint32_t wanted = UINT32_MAX;
  if (!q.type.empty()) {
    auto t = type_ids_.find(q.type);
    if (t == type_ids_.end())
      return start(size_t{0});
    wanted = t->second;
  }
  start(static_cast<size_t>(std::min<int64_t>(
    q.limit, static_cast<int64_t>(entries.end() - first))));
  int64_t n = 0;
  for (auto e = first; e != entries.end() && e->happened_at_ns < q.to_ns;
       ++e) {
    if (e->offset < q.events_since || e->offset <= q.after_offset)
      continue;
    if (wanted != UINT32_MAX && e->type_id != wanted)
      continue;
    f(e->happened_at_ns, e->offset, types_[e->type_id]);
    if (++n >= q.limit)
      break;
  }
}

} // namespace logbase
