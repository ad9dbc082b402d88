#pragma once

/// A value handed from one thread to another exactly once: the HTTP front
/// actor answers an HTTP worker thread through it. The worker waits on it
/// with a deadline; an answer that comes after the worker gave up lands in
/// a box nobody reads and dies with it, so nothing accumulates anywhere.
///
/// The worker may instead leave a consumer that takes the value in the
/// deliverer's thread (the HTTP layer writes small answers straight to the
/// client's socket that way, so that its thread needs no wake-up per
/// request). Consumer and `abandon` exclude each other: once `abandon`
/// returned true the consumer never runs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

namespace logbase {

template <class T>
class one_shot {
public:
  /// Runs in the deliverer's thread with the value; returns true when it
  /// used the value up, false to leave it for the waiter after all. Set it
  /// before the slot is handed on.
  using consumer = std::function<bool(T&)>;

  void consume_with(consumer f) {
    consumer_ = std::move(f);
  }

  /// Stores (or consumes) the value and wakes the waiter; false when one
  /// came before or the waiter abandoned the slot.
  bool deliver(T value) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (state_ != state::pending)
        return false;
      if (consumer_ && consumer_(value)) {
        set(state::consumed);
      } else {
        value_.emplace(std::move(value));
        set(state::delivered);
      }
      if (!sleeping_)
        return true;
    }
    cv_.notify_one();
    return true;
  }

  /// The value, once delivered, or nothing when the deadline passed first
  /// (the slot is then abandoned) or a consumer took it (`consumed()`).
  std::optional<T> wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> guard{mtx_};
    sleeping_ = true;
    cv_.wait_until(guard, deadline, [this] { return state_ != state::pending; });
    sleeping_ = false;
    if (state_ == state::pending)
      set(state::abandoned); // too late: a later answer dies unread
    if (state_ != state::delivered)
      return std::nullopt;
    set(state::taken);
    return std::move(*value_);
  }

  /// Gives up on the value: true when nothing came yet (and nothing will
  /// be consumed from now on).
  bool abandon() {
    std::lock_guard<std::mutex> guard{mtx_};
    if (state_ != state::pending)
      return false;
    set(state::abandoned);
    return true;
  }

  /// True once a value came (delivered or consumed); readable without
  /// waiting.
  bool settled() const {
    auto s = public_state_.load(std::memory_order_acquire);
    return s != state::pending && s != state::abandoned;
  }

  bool consumed() const {
    return public_state_.load(std::memory_order_acquire) == state::consumed;
  }

private:
  enum class state { pending, delivered, consumed, taken, abandoned };

  void set(state s) {
    state_ = s;
    public_state_.store(s, std::memory_order_release);
  }

  std::mutex mtx_;
  std::condition_variable cv_;
  consumer consumer_;
  std::optional<T> value_;
  state state_ = state::pending; ///< guarded by mtx_
  std::atomic<state> public_state_{state::pending};
  bool sleeping_ = false;               ///< guarded by mtx_
};

} // namespace logbase
