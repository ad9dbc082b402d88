#include "key_consumer.hpp"

#include <caf/all.hpp>

#include "metrics.hpp"

namespace logbase {

// -- stream_fanout -------------------------------------------------------------

void stream_fanout::join(const caf::actor_addr& reader, int64_t replayed) {
  unacked_[reader] = replayed;
}

void stream_fanout::leave(const caf::actor_addr& reader) {
  unacked_.erase(reader);
}

std::pair<std::vector<caf::actor_addr>, std::vector<caf::actor_addr>>
stream_fanout::deliver(int64_t n) {
  std::vector<caf::actor_addr> take;
  std::vector<caf::actor_addr> drop;
  for (auto& [reader, debt] : unacked_) {
    if (debt + n > max_unacked_events) {
      drop.push_back(reader);
    } else {
      debt += n;
      take.push_back(reader);
    }
  }
  for (auto& r : drop)
    unacked_.erase(r);
  return {take, drop};
}

void stream_fanout::ack(const caf::actor_addr& reader, int64_t n) {
  auto i = unacked_.find(reader);
  if (i != unacked_.end())
    i->second = std::max<int64_t>(0, i->second - n);
}

int64_t stream_fanout::unacked(const caf::actor_addr& reader) const {
  auto i = unacked_.find(reader);
  return i == unacked_.end() ? 0 : i->second;
}

// -- actor ---------------------------------------------------------------------

key_consumer_state::~key_consumer_state() {
  global_metrics().key_consumers--;
}

key_consumer_actor::behavior_type
key_consumer(key_consumer_actor::stateful_pointer<key_consumer_state> self,
             int64_t account_id) {
  self->state.account_id = account_id;
  global_metrics().key_consumers++;
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
        global_metrics().streams_dropped_slow++;
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
