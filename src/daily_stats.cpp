#include "src/daily_stats.hpp"

#include <simdjson.h>

#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/time.hpp"

namespace logbase {

std::string daily_stats::count_key(int64_t account_id, int32_t day,
                                   const std::string& type) {
  std::string key = encode_long_key(account_id);
  auto d = static_cast<uint32_t>(day);
  for (int shift = 24; shift >= 0; shift -= 8)
    key += static_cast<char>((d >> shift) & 0xff);
  key += type;
  return key;
}

void daily_stats::count(const event& e, int32_t partition, int64_t offset) {
  auto& next = next_offset_[partition];
  if (offset < next)
    return; // counted already
  next = offset + 1;
  moved_.insert(partition);
  auto live = live_.find(e.account_id);
  if (live == live_.end() || offset < live->second)
    return; // no such account, or an event of a deleted predecessor
  auto& acc = accounts_[e.account_id];
  acc.events_since = live->second;
  auto day = day_of(e.happened_at_ns);
  ++acc.counts[{day, e.type}];
  // insert, not emplace: it looks first and allocates only for a new key
  // (emplace made a node per event, then threw it away).
  changed_.insert(std::make_tuple(e.account_id, day, e.type));
}

void daily_stats::skip(int32_t partition, int64_t offset) {
  auto& next = next_offset_[partition];
  if (offset >= next) {
    next = offset + 1;
    moved_.insert(partition);
  }
}

void daily_stats::set_live(int64_t account_id, int64_t events_since) {
  auto [i, added] = live_.emplace(account_id, events_since);
  if (!added && i->second != events_since) {
    forget(account_id);
    live_[account_id] = events_since;
  }
}

void daily_stats::forget(int64_t account_id) {
  live_.erase(account_id);
  auto i = accounts_.find(account_id);
  if (i == accounts_.end())
    return;
  for (auto& [w, n] : i->second.counts)
    changed_.emplace(account_id, w.first, w.second);
  accounts_.erase(i);
}

void daily_stats::reconcile() {
  std::vector<int64_t> stale;
  for (auto& [id, acc] : accounts_) {
    auto live = live_.find(id);
    if (live == live_.end() || live->second != acc.events_since)
      stale.push_back(id);
  }
  for (auto id : stale) {
    auto live = live_.find(id);
    std::optional<int64_t> since;
    if (live != live_.end())
      since = live->second;
    forget(id);
    if (since)
      live_[id] = *since;
  }
}

std::optional<record_fault> daily_stats::restore(const in_record& r,
                                                 int32_t partitions) {
  if (r.key == checkpoint_key) {
    if (r.tombstone)
      return std::nullopt;
    simdjson::dom::parser p;
    int64_t offset = 0;
    if (p.parse(r.value)["eventsOffset"].get_int64().get(offset))
      return record_fault::undecodable;
    if (offset < 0)
      return record_fault::bad_count;
    next_offset_[r.partition] = offset;
    return std::nullopt;
  }
  if (r.key.size() < 13)
    return record_fault::bad_key;
  auto id_key = std::string_view(r.key).substr(0, 8);
  auto id = *decode_long_key(id_key);
  if (!valid_account_id(id))
    return record_fault::bad_id;
  // Counts live on their account's events partition: elsewhere, another
  // node (or none) would serve them (the rule of check_account_key).
  if (std::holds_alternative<record_fault>(
        check_account_key(id_key, r.partition, partitions)))
    return record_fault::misplaced;
  uint32_t d = 0;
  for (size_t i = 8; i < 12; ++i)
    d = (d << 8) | static_cast<uint8_t>(r.key[i]);
  if (d >= static_cast<uint32_t>(latest_event_ns / ns_per_day))
    return record_fault::bad_time;
  // Types come from decoded events, valid types; other bytes (another
  // writer's key, not even UTF-8) would be served as broken JSON
  // (tests/fuzz/stats_changelog).
  auto type = r.key.substr(12);
  if (check_event_type(type))
    return record_fault::bad_type;
  window w{static_cast<int32_t>(d), std::move(type)};
  if (r.tombstone) {
    auto i = accounts_.find(id);
    if (i != accounts_.end()) {
      i->second.counts.erase(w);
      if (i->second.counts.empty())
        accounts_.erase(i);
    }
    return std::nullopt;
  }
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  int64_t n = 0;
  int64_t since = 0;
  if (p.parse(r.value).get(doc) || doc["count"].get_int64().get(n))
    return record_fault::undecodable;
  if (n < 0)
    return record_fault::bad_count;
  if (doc["eventsSince"].get_int64().get(since))
    since = 0;
  auto& acc = accounts_[id];
  acc.events_since = since;
  acc.counts[w] = n;
  return std::nullopt;
}

int64_t daily_stats::next_offset(int32_t partition) const {
  auto i = next_offset_.find(partition);
  return i == next_offset_.end() ? 0 : i->second;
}

std::vector<daily_count> daily_stats::query(const stats_query& q) const {
  std::vector<daily_count> out;
  auto i = accounts_.find(q.account_id);
  if (i == accounts_.end())
    return out;
  for (auto w = i->second.counts.lower_bound({q.from_day, std::string{}});
       w != i->second.counts.end() && w->first.first <= q.to_day; ++w) {
    if (!q.type.empty() && w->first.second != q.type)
      continue;
    out.push_back(daily_count{w->first.first, w->first.second, w->second});
  }
  return out;
}

std::vector<out_record> daily_stats::take_changes(uint8_t topic_id) {
  std::vector<out_record> out;
  for (auto& [id, day, type] : changed_) {
    out_record r;
    r.topic_id = topic_id;
    r.key = count_key(id, day, type);
    // Compaction must keep an account's windows with its partition of
    // `events`: the producer places them explicitly.
    r.partition = -1;
    auto acc = accounts_.find(id);
    const int64_t* n = nullptr;
    if (acc != accounts_.end()) {
      auto w = acc->second.counts.find({day, type});
      if (w != acc->second.counts.end())
        n = &w->second;
    }
    if (n == nullptr) {
      r.tombstone = true;
    } else {
      r.value = stats_count_value(id, day, type, *n,
                                  acc->second.events_since);
    }
    out.push_back(std::move(r));
  }
  changed_.clear();
  for (auto p : moved_) {
    out_record r;
    r.topic_id = topic_id;
    r.partition = p;
    r.key = std::string(checkpoint_key);
    r.value = stats_checkpoint_value(next_offset(p));
    out.push_back(std::move(r));
  }
  moved_.clear();
  return out;
}

void daily_stats::retry(const std::vector<out_record>& records) {
  for (auto& r : records) {
    if (r.key == checkpoint_key) {
      moved_.insert(r.partition);
      continue;
    }
    auto id = decode_long_key(std::string_view(r.key).substr(0, 8));
    uint32_t d = 0;
    for (size_t i = 8; i < 12; ++i)
      d = (d << 8) | static_cast<uint8_t>(r.key[i]);
    changed_.emplace(*id, static_cast<int32_t>(d), r.key.substr(12));
  }
}

size_t daily_stats::windows() const {
  size_t n = 0;
  for (auto& [id, acc] : accounts_)
    n += acc.counts.size();
  return n;
}

} // namespace logbase
