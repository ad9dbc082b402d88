#pragma once

/// When the bridge's delivery thread waits for delivery reports by polling
/// without sleeping. A thread asleep on a condition variable here took
/// 0.1-0.3 ms to wake for a report (its idle core halted; the machine is a
/// VM), about a third of a lone event POST. So a write that goes out while
/// nothing else is in flight arms a short window: the writer wakes the
/// delivery thread at once, whose wake-up then overlaps the broker's round
/// trip, and the thread polls without sleeping until the reports come or
/// the window closes. Under load some batch is always in flight, nothing
/// arms, and the thread sleeps between reports as before: spinning then
/// would take a core from the broker.

#include <atomic>
#include <cstdint>

namespace logbase {

class delivery_spin {
public:
  /// How long a window stays open without reports: a broker round trip
  /// here is 0.2-0.5 ms at its median.
  static constexpr int64_t window_ns = 2'000'000;

  /// Only a write of at most this many records arms a window. A bigger one
  /// spends far longer being built, sent and stored than the wake-up the
  /// spin saves, and spinning all that time took a core's worth of polls
  /// and yields from the broker in batch ingest.
  static constexpr size_t max_records = 16;

  /// A write went out at `now_ns` with nothing else in flight: spin for
  /// its reports until the window closes.
  void arm(int64_t now_ns) {
    until_ns_.store(now_ns + window_ns, std::memory_order_relaxed);
  }

  /// The window as the delivery thread saw it before its poll (for
  /// `reported`).
  int64_t until_ns() const {
    return until_ns_.load(std::memory_order_relaxed);
  }

  /// How long the delivery thread's next poll may sleep: 0 within an open
  /// window, else `sleep_ms`.
  int poll_timeout_ms(int64_t now_ns, int sleep_ms) const {
    return now_ns < until_ns() ? 0 : sleep_ms;
  }

  /// Reports came: the window that was open when the poll began closes;
  /// one armed since then (a newer write) stays open.
  void reported(int64_t seen_until_ns) {
    until_ns_.compare_exchange_strong(seen_until_ns, 0,
                                      std::memory_order_relaxed);
  }

private:
  std::atomic<int64_t> until_ns_{0};
};

} // namespace logbase
