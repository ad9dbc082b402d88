#pragma once

/// One account's live event stream, shared by every reader of that account.
/// The event log spawns it for the first reader, feeds it the account's new
/// events, and ends it when the last reader leaves. A reader that falls
/// more than `max_unacked` events behind is dropped with an end-of-stream,
/// so a slow reader neither slows the others nor grows memory.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "interfaces.hpp"

namespace logbase {

/// Events a reader may have outstanding before it is dropped.
constexpr int64_t max_unacked_events = 10'000;

/// Who gets what: the plain bookkeeping, testable without actors.
class stream_fanout {
public:
  /// Adds a reader that already owes `replayed` acks.
  void join(const caf::actor_addr& reader, int64_t replayed);

  void leave(const caf::actor_addr& reader);

  /// Readers that can take `n` more events (their debt grows by n), and
  /// readers that cannot (they are removed).
  std::pair<std::vector<caf::actor_addr>, std::vector<caf::actor_addr>>
  deliver(int64_t n);

  void ack(const caf::actor_addr& reader, int64_t n);

  size_t readers() const {
    return unacked_.size();
  }

  int64_t unacked(const caf::actor_addr& reader) const;

private:
  std::map<caf::actor_addr, int64_t> unacked_;
};

struct key_consumer_state {
  static inline const char* name = "key_consumer";
  int64_t account_id = 0;
  stream_fanout fanout;
  std::map<caf::actor_addr, stream_reader_actor> handles;
  ~key_consumer_state();
};

key_consumer_actor::behavior_type
key_consumer(key_consumer_actor::stateful_pointer<key_consumer_state> self,
             int64_t account_id);

} // namespace logbase
