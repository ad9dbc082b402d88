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

#include "messages/interfaces.hpp"
#include "src/stream_fanout.hpp"

namespace logbase {

struct key_consumer_state {
  static inline const char* name = "key_consumer";
  int64_t account_id = 0;
  stream_fanout<caf::actor_addr> fanout;
  std::map<caf::actor_addr, stream_reader_actor> handles;
  ~key_consumer_state();
};

key_consumer_actor::behavior_type
key_consumer(key_consumer_actor::stateful_pointer<key_consumer_state> self,
             int64_t account_id);

} // namespace logbase
