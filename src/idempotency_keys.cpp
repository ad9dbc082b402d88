#include "src/idempotency_keys.hpp"

#include <algorithm>

namespace logbase {

void idempotency_keys::on_record(const idempotency_mark& m, const event& e,
                                 int64_t now_ms) {
  if (m.written_ms + window_ms_ <= now_ms || m.part >= m.parts)
    return;
  auto [i, added] = keys_[e.account_id].try_emplace(m.key);
  if (added)
    ++size_;
  auto& x = i->second;
  if (!added && (x.hash != m.body_hash || x.parts.size() != m.parts))
    x = entry{};
  if (x.parts.empty()) {
    x.hash = m.body_hash;
    x.parts.assign(m.parts, event{e.account_id, {}, 0, -1});
  }
  // A part written twice (two nodes racing during a move of ownership):
  // the later copy is the one an answer names.
  auto& part = x.parts[m.part];
  if (part.offset < e.offset)
    part = e;
  x.written_ms = std::max(x.written_ms, m.written_ms);
}

idempotency_keys::verdict
idempotency_keys::check(int64_t account_id, const std::string& key,
                        uint64_t hash, uint32_t parts, int64_t events_since,
                        int64_t now_ms) {
  verdict v;
  auto fresh = [&] {
    v.what = kind::fresh;
    v.landed.clear();
    v.missing.resize(parts);
    for (uint32_t p = 0; p < parts; ++p)
      v.missing[p] = p;
    return v;
  };
  if (auto a = attempts_.find({account_id, key}); a != attempts_.end()) {
    if (a->second.running) {
      v.what = kind::busy;
      return v;
    }
    if (a->second.unsettled) {
      v.what = kind::unsettled;
      return v;
    }
  }
  auto acc = keys_.find(account_id);
  if (acc == keys_.end())
    return fresh();
  auto i = acc->second.find(key);
  if (i == acc->second.end())
    return fresh();
  auto& x = i->second;
  auto live = [&](const event& e) {
    return e.offset >= 0 && e.offset >= events_since;
  };
  if (x.written_ms + window_ms_ <= now_ms
      || std::none_of(x.parts.begin(), x.parts.end(), live)) {
    // Expired, or of a deleted incarnation: as if never seen.
    acc->second.erase(i);
    --size_;
    return fresh();
  }
  if (x.hash != hash || x.parts.size() != parts) {
    v.what = kind::reused;
    return v;
  }
  v.landed = x.parts;
  for (uint32_t p = 0; p < parts; ++p)
    if (!live(v.landed[p])) {
      v.landed[p].offset = -1;
      v.missing.push_back(p);
    }
  v.what = v.missing.empty() ? kind::replay : kind::resume;
  return v;
}

void idempotency_keys::begin(int64_t account_id, const std::string& key,
                             int64_t now_ms) {
  auto& a = attempts_[{account_id, key}];
  a.running = true;
  a.since_ms = now_ms;
}

void idempotency_keys::wait(int64_t account_id, const std::string& key,
                            retry again) {
  attempts_[{account_id, key}].waiting.push_back(std::move(again));
}

std::vector<idempotency_keys::retry>
idempotency_keys::end(int64_t account_id, const std::string& key,
                      bool failed) {
  auto i = attempts_.find({account_id, key});
  if (i == attempts_.end())
    return {};
  auto waiting = std::move(i->second.waiting);
  if (failed) {
    i->second.running = false;
    i->second.unsettled = true;
    i->second.waiting.clear();
  } else {
    attempts_.erase(i);
  }
  return waiting;
}

void idempotency_keys::forget(int64_t account_id) {
  if (auto i = keys_.find(account_id); i != keys_.end()) {
    size_ -= i->second.size();
    keys_.erase(i);
  }
  auto first = attempts_.lower_bound({account_id, std::string{}});
  while (first != attempts_.end() && first->first.first == account_id) {
    if (!first->second.running && first->second.waiting.empty())
      first = attempts_.erase(first);
    else
      ++first;
  }
}

size_t idempotency_keys::expire(int64_t now_ms) {
  size_t dropped = 0;
  for (auto acc = keys_.begin(); acc != keys_.end();) {
    auto& keys = acc->second;
    for (auto i = keys.begin(); i != keys.end();) {
      if (i->second.written_ms + window_ms_ <= now_ms) {
        i = keys.erase(i);
        ++dropped;
      } else {
        ++i;
      }
    }
    acc = keys.empty() ? keys_.erase(acc) : std::next(acc);
  }
  size_ -= dropped;
  for (auto a = attempts_.begin(); a != attempts_.end();) {
    auto& x = a->second;
    if (!x.running && x.waiting.empty() && x.since_ms + window_ms_ <= now_ms)
      a = attempts_.erase(a);
    else
      ++a;
  }
  return dropped;
}

} // namespace logbase
