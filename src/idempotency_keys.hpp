#pragma once

/// The idempotency keys of the accounts whose `events` partitions this node
/// owns, as the event log reads them from the topic (record headers, see
/// idempotency.hpp): per account and key, the body hash, the number of
/// parts (events) of the POST, and the parts that landed, with their events,
/// so that a retry answers exactly what the first attempt answered. Keys
/// older than the window (since their last write) are dropped.
///
/// Beside what the topic says, it tracks this node's own attempts: one
/// publish per key at a time (others wait for it), and a key whose attempt
/// failed is "unsettled": parts of it may have landed unseen, so the next
/// attempt first reads the partition to its end.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/idempotency.hpp"
#include "src/model.hpp"

namespace logbase {

class idempotency_keys {
public:
  using retry = std::function<void()>;

  explicit idempotency_keys(int64_t window_ms = 86'400'000)
    : window_ms_(window_ms) {
    // nop
  }

  /// A keyed event record read at `e.offset`. A record older than the
  /// window is ignored; one with another hash than the key had replaces
  /// it (a later incarnation of the account reused the key).
  void on_record(const idempotency_mark& m, const event& e, int64_t now_ms);

  enum class kind : uint8_t {
    fresh,     ///< unknown key: publish every part
    replay,    ///< every part landed: answer `landed`, write nothing
    resume,    ///< some parts landed: publish `missing`, answer all
    reused,    ///< the key came with another body: 422
    busy,      ///< an attempt with this key is in flight here: `wait`
    unsettled, ///< an attempt failed here: read the partition to its end,
               ///< then `end(…, false)` and check again
  };

  struct verdict {
    kind what = kind::fresh;
    /// Every part, in order; `offset < 0` where it did not land.
    std::vector<event> landed;
    /// The parts to publish (fresh, resume).
    std::vector<uint32_t> missing;
  };

  /// What a POST with this key, body hash and number of events must do.
  /// Parts written before `events_since` belong to a deleted incarnation
  /// of the account and count as missing.
  verdict check(int64_t account_id, const std::string& key, uint64_t hash,
                uint32_t parts, int64_t events_since, int64_t now_ms);

  /// An attempt with this key starts here.
  void begin(int64_t account_id, const std::string& key, int64_t now_ms);

  /// Runs `again` once the attempt in flight ends.
  void wait(int64_t account_id, const std::string& key, retry again);

  /// The attempt ended; `failed`: parts may have landed without this node
  /// knowing yet. Returns what waited for it, to run now.
  std::vector<retry> end(int64_t account_id, const std::string& key,
                         bool failed);

  /// Drops the keys of a deleted account.
  void forget(int64_t account_id);

  /// Drops keys last written before the window; returns how many.
  size_t expire(int64_t now_ms);

  /// Keys held.
  size_t size() const {
    return size_;
  }

  int64_t window_ms() const {
    return window_ms_;
  }

private:
  struct entry {
    uint64_t hash = 0;
    int64_t written_ms = 0; ///< the latest write of any part
    std::vector<event> parts;
  };

  struct attempt {
    bool running = false;
    bool unsettled = false;
    int64_t since_ms = 0;
    std::vector<retry> waiting;
  };

  using attempt_key = std::pair<int64_t, std::string>;

  int64_t window_ms_;
  std::unordered_map<int64_t, std::unordered_map<std::string, entry>> keys_;
  std::map<attempt_key, attempt> attempts_;
  size_t size_ = 0;
};

} // namespace logbase
