#pragma once

/// Waiters for a consumer's progress: "answer once partition P is read past
/// offset O". The read-your-writes of every store rests on this.

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace logbase {

template <class T>
class offset_waiters {
public:
  /// Next offset to be read in `partition` (0 before anything was read).
  int64_t position(int32_t partition) const {
    auto i = positions_.find(partition);
    return i == positions_.end() ? 0 : i->second;
  }

  /// True once the record at `offset` has been read.
  bool reached(int32_t partition, int64_t offset) const {
    return position(partition) > offset;
  }

  /// Waits for `offset` of `partition`; false if it was read already (then
  /// the caller answers right away and `value` is not kept).
  bool wait(int32_t partition, int64_t offset, T value) {
    if (reached(partition, offset))
      return false;
    waiting_.emplace(std::make_pair(partition, offset), std::move(value));
    return true;
  }

  /// The consumer now stands at `next_offset`: returns the waiters it passed.
  std::vector<T> advance(int32_t partition, int64_t next_offset) {
    auto& pos = positions_[partition];
    if (next_offset > pos)
      pos = next_offset;
    std::vector<T> ready;
    auto first = waiting_.lower_bound({partition, INT64_MIN});
    auto last = waiting_.lower_bound({partition, pos});
    for (auto i = first; i != last; ++i)
      ready.push_back(std::move(i->second));
    waiting_.erase(first, last);
    return ready;
  }

  /// Forgets a partition's position (its waiters must be gone): read again
  /// later, it starts from nothing.
  void reset(int32_t partition) {
    positions_.erase(partition);
  }

  size_t size() const {
    return waiting_.size();
  }

private:
  std::map<int32_t, int64_t> positions_;
  std::multimap<std::pair<int32_t, int64_t>, T> waiting_;
};

} // namespace logbase
