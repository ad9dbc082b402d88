#pragma once

/// Work waiting with a deadline, each item ended exactly once: taken by
/// whoever finishes it, or handed to `expire` once its deadline passed.
/// Actors check it on a tick that runs only while something waits, instead
/// of a CAF request timeout per request: each of those costs a message to
/// CAF's clock thread and a wake-up, and CAF 0.17 never cancels them (three
/// per event POST made a quarter of the server's context switches).

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace logbase {

template <class Item>
class deadline_book {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Starts waiting; the id is for `find` and `take`.
  uint64_t open(Item item, time_point deadline) {
    auto id = next_id_++;
    open_.emplace(id, std::move(item));
    deadlines_.emplace(deadline, id);
    return id;
  }

  /// The item, if it still waits.
  Item* find(uint64_t id) {
    auto i = open_.find(id);
    return i == open_.end() ? nullptr : &i->second;
  }

  /// Ends the wait: the item, unless it ended before (taken or expired).
  std::optional<Item> take(uint64_t id) {
    auto i = open_.find(id);
    if (i == open_.end())
      return std::nullopt;
    std::optional<Item> item{std::move(i->second)};
    open_.erase(i);
    return item;
  }

  /// Ends every wait past its deadline, calling `on_expired(item)` for
  /// each; how many.
  template <class OnExpired>
  size_t expire(time_point now, OnExpired on_expired) {
    size_t n = 0;
    while (!deadlines_.empty() && deadlines_.top().first <= now) {
      auto id = deadlines_.top().second;
      deadlines_.pop();
      if (auto item = take(id)) {
        on_expired(*item);
        ++n;
      }
    }
    // Ended early: forget their deadlines once nothing waits.
    if (open_.empty())
      deadlines_ = {};
    return n;
  }

  size_t size() const {
    return open_.size();
  }

private:
  using entry = std::pair<time_point, uint64_t>;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, Item> open_;
  std::priority_queue<entry, std::vector<entry>, std::greater<entry>>
    deadlines_;
};

} // namespace logbase
