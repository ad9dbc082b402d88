#pragma once

/// Orders the commands on one key (an account): writes that change the
/// account (PUT, PATCH, DELETE) run alone; event publishes may run together,
/// but never beside a write. Commands start in arrival order, so a DELETE
/// that arrives after a publish waits for it, and a publish that arrives
/// after a DELETE sees the account gone.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>

namespace logbase {

class key_gate {
public:
  enum class mode : uint8_t { shared, exclusive };

  /// Runs `command` now when the key allows it, else once it does. Every
  /// command must be followed by exactly one `leave` with the same mode.
  void enter(int64_t key, mode m, std::function<void()> command);

  /// A command on `key` finished: starts what waited behind it.
  void leave(int64_t key, mode m);

  /// Keys with a command running or waiting.
  size_t busy_keys() const {
    return keys_.size();
  }

  /// Commands running on `key`.
  int running(int64_t key) const;

private:
  struct waiting {
    mode m;
    std::function<void()> command;
  };

  struct slot {
    int shared = 0;
    bool exclusive = false;
    std::deque<waiting> queue;
  };

  void start_waiting(int64_t key);

  std::map<int64_t, slot> keys_;
};

} // namespace logbase
