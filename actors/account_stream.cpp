#include "actors/account_stream.hpp"

#include <caf/all.hpp>

#include "src/metrics.hpp"

namespace logbase {

// -- actor ---------------------------------------------------------------------

account_stream_state::~account_stream_state() {
  global_metrics().account_streams.Decrement();
}

account_stream_actor::behavior_type
account_stream(account_stream_actor::stateful_pointer<account_stream_state> self,
             int64_t account_id) {
  self->state.account_id = account_id;
  global_metrics().account_streams.Increment();
  return {
    [=](join_atom, stream_reader_actor reader, std::vector<event>& replay) {
      auto addr = caf::actor_cast<caf::actor_addr>(reader);
      self->state.fanout.join(addr, static_cast<int64_t>(replay.size()));
      self->state.handles[addr] = reader;
      if (!replay.empty())
        self->send(reader, stream_atom::value, std::move(replay));
    },
    [=](leave_atom, stream_reader_actor reader) {
      auto addr = caf::actor_cast<caf::actor_addr>(reader);
      self->state.fanout.leave(addr);
      self->state.handles.erase(addr);
    },
    [=](stream_atom, const std::vector<event>& events) {
      auto& st = self->state;
      auto [take, drop] = st.fanout.deliver(static_cast<int64_t>(events.size()));
      for (auto& r : take)
        self->send(st.handles[r], stream_atom::value, events);
      for (auto& r : drop) {
        global_metrics().streams_dropped_slow.Increment();
        self->send(st.handles[r], end_atom::value,
                   std::string{"reader too slow: more than "}
                     + std::to_string(max_unacked_events)
                     + " events unread");
        st.handles.erase(r);
      }
    },
    [=](ack_atom, stream_reader_actor reader, int64_t n) {
      self->state.fanout.ack(caf::actor_cast<caf::actor_addr>(reader), n);
    },
    [=](end_atom, const std::string& reason) {
      for (auto& [addr, reader] : self->state.handles) {
        self->send(reader, end_atom::value, reason);
        self->state.fanout.leave(addr);
      }
      self->state.handles.clear();
    },
  };
}

} // namespace logbase
