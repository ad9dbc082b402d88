#pragma once

/// What the event log and the statistics share when the group gives them a
/// partition they kept a warm copy of (config::standby_replicas): the
/// broker's end of it, asked until the broker answers.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include <caf/all.hpp>

#include "messages/interfaces.hpp"
#include "messages/inspect.hpp"
#include "src/records.hpp"
#include "src/topics.hpp"

namespace logbase {

/// Asks `bridge` for the broker's end of `partition` of `t` (not the end
/// this node's consumer last saw: the last owner may have acknowledged
/// writes not fetched here yet; for a transactional topic, its last stable
/// offset), again and again while the broker is away. Once it answers and
/// `promoting` still holds the partition, the end goes there and `check`
/// runs. `promoting` belongs to `self`'s state (the answers run on `self`).
template <class Self, class Check>
void ask_promotion_end(Self* self, const kafka_bridge_actor& bridge, topic t,
                       int32_t partition, std::chrono::milliseconds timeout,
                       std::map<int32_t, int64_t>& promoting, Check check) {
  promoting[partition] = -1;
  self->request(bridge, timeout, ends_atom::value, id_of(t))
    .then(
      [&promoting, partition, check](const std::vector<int64_t>& ends) {
        auto i = promoting.find(partition);
        if (i == promoting.end()
            || static_cast<size_t>(partition) >= ends.size())
          return;
        i->second = ends[static_cast<size_t>(partition)];
        check(partition);
      },
      [self, bridge, t, partition, timeout, &promoting,
       check](const caf::error&) {
        if (promoting.count(partition) > 0)
          ask_promotion_end(self, bridge, t, partition, timeout, promoting,
                            check);
      });
}

/// Whether the promotion of `partition` is done: the broker's end is known
/// and `position` (how far this node has read it) reached it; if so, the
/// partition leaves `promoting`.
inline bool promotion_reached(std::map<int32_t, int64_t>& promoting,
                              int32_t partition, int64_t position) {
  auto i = promoting.find(partition);
  if (i == promoting.end() || i->second < 0 || position < i->second)
    return false;
  promoting.erase(i);
  return true;
}

/// Keeps a warm copy of those of `taken` that `busy` does not rule out (a
/// partition owned, or still being handed on) and `standby` lacks yet:
/// adds them there and subscribes `self` to them on `t`.
template <class Self, class Busy>
void stand_by_for(Self* self, const kafka_bridge_actor& bridge, topic t,
                  const std::vector<int32_t>& taken,
                  std::set<int32_t>& standby, Busy busy) {
  std::vector<int32_t> fresh;
  for (auto p : taken)
    if (!busy(p) && standby.insert(p).second)
      fresh.push_back(p);
  if (!fresh.empty())
    self->send(bridge, subscribe_atom::value, these_partitions(t, fresh),
               caf::actor_cast<record_sink_actor>(self));
}

} // namespace logbase
