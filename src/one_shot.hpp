#pragma once

/// A value handed from one thread to another exactly once: the HTTP front
/// actor answers an HTTP worker thread through it. The worker waits on it
/// with a deadline; an answer that comes after the worker gave up lands in
/// a box nobody reads and dies with it, so nothing accumulates anywhere.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace logbase {

template <class T>
class one_shot {
public:
  /// Stores the value and wakes the waiter; false when one came before.
  bool deliver(T value) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (value_)
        return false;
      value_.emplace(std::move(value));
    }
    cv_.notify_one();
    return true;
  }

  /// The value, once delivered, or nothing when the deadline passed first.
  std::optional<T> wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait_until(guard, deadline, [this] { return value_.has_value(); });
    if (!value_)
      return std::nullopt;
    return std::move(*value_);
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::optional<T> value_;
};

} // namespace logbase
