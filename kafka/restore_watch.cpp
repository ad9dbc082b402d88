#include "kafka/restore_watch.hpp"

#include <chrono>

#include "src/log.hpp"

namespace logbase {

namespace {

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// A progress line this often while restoring.
constexpr int64_t line_interval_ns = 5'000'000'000;

/// Quiet this long after the last partition finished: the restore is over.
/// (The statistics read `events` only after their changelog, and the
/// account table's answer; those phases belong to one restore.)
constexpr int64_t settle_ns = 1'000'000'000;

} // namespace

restore_watch::restore_watch() : progress_(line_interval_ns, settle_ns) {
  // nop
}

void restore_watch::publish(const std::string& store) {
  auto i = instruments_.find(store);
  if (i == instruments_.end())
    i = instruments_.emplace(store, global_metrics().restore(store)).first;
  auto s = progress_.of(store);
  i->second.partitions.Set(static_cast<double>(s.partitions));
  i->second.remaining.Set(static_cast<double>(s.remaining));
}

void restore_watch::expect(
  const std::string& store,
  const std::vector<std::pair<uint8_t, int32_t>>& parts) {
  if (parts.empty())
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto now = steady_ns();
  for (auto& [topic_id, partition] : parts)
    progress_.expect(store, topic_id, partition, now);
  active_ = true;
  publish(store);
}

void restore_watch::hold(bool on) {
  std::lock_guard<std::mutex> guard{mutex_};
  progress_.hold(on, steady_ns());
}

void restore_watch::begin(const std::string& store,
                          const std::vector<span>& parts) {
  if (parts.empty())
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto now = steady_ns();
  for (auto& p : parts)
    progress_.begin(store, p.topic_id, p.partition, p.next, p.end, now);
  active_ = true;
  publish(store);
}

void restore_watch::advance(const std::string& store,
                            const std::vector<step>& steps) {
  if (steps.empty() || !active_)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  int64_t read = 0;
  for (auto& s : steps)
    if (progress_.restoring(store, s.topic_id, s.partition)) {
      progress_.advance(store, s.topic_id, s.partition, s.next, s.records);
      read += s.records;
    }
  if (read == 0)
    return;
  publish(store);
  instruments_.at(store).records.Increment(static_cast<double>(read));
}

void restore_watch::finish(const std::string& store, uint8_t topic_id,
                           int32_t partition) {
  if (!active_)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  progress_.finish(store, topic_id, partition, steady_ns());
  publish(store);
}

void restore_watch::tick() {
  if (!active_)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto now = steady_ns();
  if (auto line = progress_.progress_line(now))
    log(log_level::info, "restore", *line);
  if (auto line = progress_.final_line(now))
    log(log_level::info, "restore", *line);
  active_ = progress_.active();
}

} // namespace logbase
