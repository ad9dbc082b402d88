#include "src/event_index.hpp"

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
  scan(
    q, [&](size_t n) { out.reserve(n); },
    [&](int64_t t, int64_t offset, const std::string& type) {
      out.push_back(event{q.account_id, type, t, offset});
    });
  return out;
}

void event_index::forget(int64_t account_id) {
  auto i = by_account_.find(account_id);
  if (i == by_account_.end())
    return;
  size_ -= i->second.size();
  by_account_.erase(i);
}

std::vector<int64_t> event_index::accounts() const {
  std::vector<int64_t> out;
  out.reserve(by_account_.size());
  for (auto& [id, entries] : by_account_)
    out.push_back(id);
  return out;
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
