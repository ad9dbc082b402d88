#pragma once

/// Who of a stream's readers gets the next events: each reader owes acks for
/// what it was sent; one that owes more than `max_unacked_events` is dropped
/// (the stream ends for it), so a slow reader neither slows the others nor
/// grows memory. Plain bookkeeping for the account_stream actor.

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace logbase {

/// Events a reader may have outstanding before it is dropped.
constexpr int64_t max_unacked_events = 10'000;

/// Who gets what: the plain bookkeeping, testable without actors.
template <class Reader>
class stream_fanout {
public:
  /// Adds a reader that already owes `replayed` acks.
  void join(const Reader& reader, int64_t replayed) {
    unacked_[reader] = replayed;
  }

  void leave(const Reader& reader) {
    unacked_.erase(reader);
  }

  /// Readers that can take `n` more events (their debt grows by n), and
  /// readers that cannot (they are removed).
  std::pair<std::vector<Reader>, std::vector<Reader>> deliver(int64_t n) {
    std::vector<Reader> take;
    std::vector<Reader> drop;
    for (auto& [reader, debt] : unacked_) {
      if (debt + n > max_unacked_events) {
        drop.push_back(reader);
      } else {
        debt += n;
        take.push_back(reader);
      }
    }
    for (auto& r : drop)
      unacked_.erase(r);
    return {take, drop};
  }

  void ack(const Reader& reader, int64_t n) {
    auto i = unacked_.find(reader);
    if (i != unacked_.end())
      i->second = std::max<int64_t>(0, i->second - n);
  }

  size_t readers() const {
    return unacked_.size();
  }

  int64_t unacked(const Reader& reader) const {
    auto i = unacked_.find(reader);
    return i == unacked_.end() ? 0 : i->second;
  }

private:
  std::map<Reader, int64_t> unacked_;
};

} // namespace logbase
