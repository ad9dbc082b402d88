#include "event_index.hpp"

#include <algorithm>

namespace logbase {

uint32_t event_index::intern(const std::string& type) {
  auto [i, added] = type_ids_.emplace(type, static_cast<uint32_t>(types_.size()));
  if (added)
    types_.push_back(type);
  return i->second;
}

void event_index::add(const event& e, int64_t offset) {
  auto& entries = by_account_[e.account_id];
  entry x{e.happened_at_ns, offset, intern(e.type)};
  auto later = [](const entry& a, const entry& b) {
    return a.happened_at_ns < b.happened_at_ns
           || (a.happened_at_ns == b.happened_at_ns && a.offset < b.offset);
  };
  // Events mostly arrive in time order: the common case is an append.
  if (entries.empty() || !later(x, entries.back())) {
    if (!entries.empty() && entries.back().offset == offset)
      return; // read twice (a re-assignment): already indexed
    entries.push_back(x);
  } else {
    auto at = std::upper_bound(entries.begin(), entries.end(), x, later);
    entries.insert(at, x);
  }
  ++size_;
}

std::vector<event> event_index::query(const event_query& q) const {
  std::vector<event> out;
  auto i = by_account_.find(q.account_id);
  if (i == by_account_.end() || q.limit <= 0)
    return out;
  auto& entries = i->second;
  auto first = std::lower_bound(entries.begin(), entries.end(), q.from_ns,
                                [](const entry& e, int64_t t) {
                                  return e.happened_at_ns < t;
                                });
  out.reserve(static_cast<size_t>(std::min<int64_t>(
    q.limit, static_cast<int64_t>(entries.end() - first))));
  uint32_t wanted = UINT32_MAX;
  if (!q.type.empty()) {
    auto t = type_ids_.find(q.type);
    if (t == type_ids_.end())
      return out;
    wanted = t->second;
  }
  for (auto e = first; e != entries.end() && e->happened_at_ns < q.to_ns;
       ++e) {
    if (e->offset < q.events_since || e->offset <= q.after_offset)
      continue;
    if (wanted != UINT32_MAX && e->type_id != wanted)
      continue;
    out.push_back(event{q.account_id, types_[e->type_id], e->happened_at_ns,
                        e->offset});
    if (static_cast<int64_t>(out.size()) >= q.limit)
      break;
  }
  return out;
}

void event_index::forget(int64_t account_id) {
  auto i = by_account_.find(account_id);
  if (i == by_account_.end())
    return;
  size_ -= i->second.size();
  by_account_.erase(i);
}

size_t event_index::expire(int64_t horizon_ns) {
  size_t dropped = 0;
  for (auto i = by_account_.begin(); i != by_account_.end();) {
    auto& entries = i->second;
    auto keep = std::lower_bound(entries.begin(), entries.end(), horizon_ns,
                                 [](const entry& e, int64_t t) {
                                   return e.happened_at_ns < t;
                                 });
    auto n = static_cast<size_t>(keep - entries.begin());
    if (n > 0) {
      entries.erase(entries.begin(), keep);
      entries.shrink_to_fit();
      dropped += n;
    }
    if (entries.empty())
      i = by_account_.erase(i);
    else
      ++i;
  }
  size_ -= dropped;
  return dropped;
}

size_t event_index::entry_bytes() const {
  size_t bytes = 0;
  for (auto& [id, entries] : by_account_)
    bytes += entries.capacity() * sizeof(entry);
  return bytes;
}

} // namespace logbase
