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
    open_.emplace(id, waiting{deadline, std::move(item)});
    deadlines_.emplace(deadline, id);
    return id;
  }

  /// The item, if it still waits.
  Item* find(uint64_t id) {
    auto i = open_.find(id);
    return i == open_.end() ? nullptr : &i->second.item;
  }

  /// Ends the wait: the item, unless it ended before (taken or expired).
  std::optional<Item> take(uint64_t id) {
    auto i = open_.find(id);
    if (i == open_.end())
      return std::nullopt;
    std::optional<Item> item{std::move(i->second.item)};
    open_.erase(i);
    compact();
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
    return n;
  }

  size_t size() const {
    return open_.size();
  }

  /// Deadlines kept, including those of items already ended (for tests).
  size_t deadlines_kept() const {
    return deadlines_.size();
  }

private:
  using entry = std::pair<time_point, uint64_t>;
  struct waiting {
    time_point deadline;
    Item item;
  };

  /// Most items end long before their deadline: drop those deadlines once
  /// they are the greater part. Kept until they passed, a second's worth of
  /// reads held their deadlines for 5 s (at 30k req/s, 4 MiB the soak
  /// saw as RSS growth).
  void compact() {
    if (deadlines_.size() <= 2 * open_.size() + 64)
      return;
    std::vector<entry> live;
    live.reserve(open_.size());
    for (auto& [id, w] : open_)
      live.emplace_back(w.deadline, id);
    deadlines_ = decltype(deadlines_){std::greater<entry>{}, std::move(live)};
  }

  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, waiting> open_;
  std::priority_queue<entry, std::vector<entry>, std::greater<entry>>
    deadlines_;
};

} // namespace logbase
