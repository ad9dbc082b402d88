#include "src/restore_progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace logbase {

double records_per_second(int64_t records, int64_t elapsed_ns) {
  if (elapsed_ns <= 0)
    return 0;
  return static_cast<double>(records) * 1e9 / static_cast<double>(elapsed_ns);
}

std::optional<double> eta_seconds(int64_t remaining, double rate) {
  if (remaining <= 0)
    return 0.0;
  if (!(rate > 0))
    return std::nullopt;
  return static_cast<double>(remaining) / rate;
}

std::string format_duration(double seconds) {
  char out[48];
  if (seconds < 1)
    std::snprintf(out, sizeof(out), "%.0f ms", seconds * 1000);
  else if (seconds < 60)
    std::snprintf(out, sizeof(out), "%.1f s", seconds);
  else if (seconds < 3600) {
    auto s = static_cast<int64_t>(std::llround(seconds));
    std::snprintf(out, sizeof(out), "%lld min %lld s",
                  static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    auto m = static_cast<int64_t>(std::llround(seconds / 60));
    std::snprintf(out, sizeof(out), "%lld h %lld min",
                  static_cast<long long>(m / 60),
                  static_cast<long long>(m % 60));
  }
  return out;
}

restore_progress::restore_progress(int64_t line_interval_ns, int64_t settle_ns)
  : line_interval_ns_(line_interval_ns), settle_ns_(settle_ns) {
  // nop
}

void restore_progress::open(int64_t now_ns) {
  if (active_)
    return;
  active_ = true;
  started_ns_ = now_ns;
  last_finish_ns_ = now_ns;
  last_line_ns_ = now_ns;
  records_at_last_line_ = 0;
  partitions_seen_ = 0;
  records_.clear();
}

void restore_progress::expect(const std::string& store, uint8_t topic_id,
                              int32_t partition, int64_t now_ns) {
  open(now_ns);
  restoring_.try_emplace(key{store, topic_id, partition},
                         partition_state{0, 0, true});
}

void restore_progress::hold(bool on, int64_t now_ns) {
  if (holding_ && !on)
    last_finish_ns_ = std::max(last_finish_ns_, now_ns);
  holding_ = on;
}

void restore_progress::begin(const std::string& store, uint8_t topic_id,
                             int32_t partition, int64_t next, int64_t end,
                             int64_t now_ns) {
  open(now_ns);
  records_.try_emplace(store, 0);
  auto [i, fresh] = restoring_.try_emplace(key{store, topic_id, partition});
  if (fresh || i->second.expected)
    ++partitions_seen_;
  i->second = partition_state{next, end, false};
}

bool restore_progress::restoring(const std::string& store, uint8_t topic_id,
                                 int32_t partition) const {
  return restoring_.count(key{store, topic_id, partition}) > 0;
}

void restore_progress::advance(const std::string& store, uint8_t topic_id,
                               int32_t partition, int64_t next,
                               int64_t records) {
  auto i = restoring_.find(key{store, topic_id, partition});
  if (i == restoring_.end())
    return;
  i->second.next = std::max(i->second.next, next);
  records_[store] += records;
}

void restore_progress::finish(const std::string& store, uint8_t topic_id,
                              int32_t partition, int64_t now_ns) {
  if (restoring_.erase(key{store, topic_id, partition}) > 0)
    last_finish_ns_ = now_ns;
}

restore_progress::share restore_progress::of(const std::string& store) const {
  share out;
  for (auto& [k, p] : restoring_)
    if (std::get<0>(k) == store) {
      ++out.partitions;
      out.remaining += std::max<int64_t>(0, p.end - p.next);
    }
  auto r = records_.find(store);
  if (r != records_.end())
    out.records = r->second;
  return out;
}

int32_t restore_progress::partitions() const {
  return static_cast<int32_t>(restoring_.size());
}

int64_t restore_progress::remaining() const {
  int64_t out = 0;
  for (auto& [k, p] : restoring_)
    out += std::max<int64_t>(0, p.end - p.next);
  return out;
}

int64_t restore_progress::records() const {
  int64_t out = 0;
  for (auto& [store, n] : records_)
    out += n;
  return out;
}

std::optional<std::string> restore_progress::progress_line(int64_t now_ns) {
  if (restoring_.empty() || now_ns - last_line_ns_ < line_interval_ns_)
    return std::nullopt;
  auto done = records();
  auto rate = records_per_second(done - records_at_last_line_,
                                 now_ns - last_line_ns_);
  auto left = remaining();
  auto eta = eta_seconds(left, rate);
  last_line_ns_ = now_ns;
  records_at_last_line_ = done;
  char rate_text[32];
  std::snprintf(rate_text, sizeof(rate_text), "%.0f", rate);
  return "restoring " + std::to_string(partitions()) + " partitions: "
         + std::to_string(done) + " records read, " + std::to_string(left)
         + " to go, " + rate_text + " records/s, ETA "
         + (eta ? format_duration(*eta) : std::string{"unknown"});
}

std::optional<std::string> restore_progress::final_line(int64_t now_ns) {
  if (!active_ || holding_ || !restoring_.empty()
      || now_ns - last_finish_ns_ < settle_ns_)
    return std::nullopt;
  active_ = false;
  if (partitions_seen_ == 0)
    return std::nullopt; // nothing was behind: nothing to tell
  auto took = last_finish_ns_ - started_ns_;
  auto done = records();
  char rate_text[32];
  std::snprintf(rate_text, sizeof(rate_text), "%.0f",
                records_per_second(done, took));
  std::string per_store;
  for (auto& [store, n] : records_)
    per_store += (per_store.empty() ? "" : ", ") + store + " "
                 + std::to_string(n);
  return "restored " + std::to_string(done) + " records of "
         + std::to_string(partitions_seen_) + " partitions in "
         + format_duration(static_cast<double>(took) / 1e9) + " ("
         + rate_text + " records/s; " + per_store + ")";
}

} // namespace logbase
