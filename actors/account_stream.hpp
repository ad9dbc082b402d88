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

struct account_stream_state {
  static inline const char* name = "account_stream";
  int64_t account_id = 0;
  stream_fanout<caf::actor_addr> fanout;
  std::map<caf::actor_addr, stream_reader_actor> handles;
  ~account_stream_state();
};

account_stream_actor::behavior_type
account_stream(account_stream_actor::stateful_pointer<account_stream_state> self,
             int64_t account_id);

} // namespace logbase
