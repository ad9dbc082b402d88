#include "actors/account_table.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"

namespace logbase {

void account_table_state::expire_publishes(
  deadline_book<publish_hold>::time_point now) {
  publishes.expire(now, [this](publish_hold& h) {
    if (h.holds_gate)
      gate.leave(h.account_id, key_gate::mode::shared);
    h.promise.deliver(make_error(error_code::broker_unavailable,
                                 "Kafka did not confirm the write in time"));
  });
}

/// Publishes events of an existing account: durable, indexed, then counted.
/// A DELETE that arrives later waits until this is answered (and then
/// hides the events with the account); one that came first makes this 404.
/// Both asks go without a CAF timer (this node's event log and statistics
/// always answer); the publish's own deadline bounds them.
void publish_events(account_table_self self,
                    caf::typed_response_promise<std::vector<event>> rp,
                    int64_t id, std::vector<event> events, std::string key,
                    uint64_t body_hash) {
  using mode = key_gate::mode;
  // The events are moved along, never copied (a batch holds thousands).
  self->state.gate.enter(id, mode::shared, [=, events = std::move(events),
                                            key = std::move(key)]() mutable {
    auto& st = self->state;
    auto* a = st.store.find(id);
    if (a == nullptr) {
      rp.deliver(make_error(account_not_found(id)));
      st.gate.leave(id, mode::shared);
      return;
    }
    // The event log's produce gives up after half the write timeout; this
    // only guarantees that the account is never left locked.
    auto deadline = self->clock().now() + st.write_timeout()
                    + std::chrono::seconds(2);
    auto ticket = st.publishes.open({rp, id, true}, deadline);
    if (!st.ticking) {
      st.ticking = true;
      self->delayed_send(self, st.publish_tick, tick_atom::value);
    }
    // A key's parts from before `events_since` belong to a deleted
    // incarnation of the account: the event log ignores them.
    self
      ->request(st.events, caf::infinite, publish_atom::value,
                std::move(events), std::move(key), body_hash, a->events_since)
      .then(
        [=](std::vector<event>& stored) mutable {
          auto& st = self->state;
          auto* hold = st.publishes.find(ticket);
          if (hold == nullptr)
            return; // past its deadline: answered and unlocked
          hold->holds_gate = false;
          st.gate.leave(id, mode::shared);
          // Read-your-writes for statistics: answer once counted.
          int32_t partition = st.events_partition_of(id);
          int64_t last = -1;
          for (auto& e : stored)
            last = std::max(last, e.offset);
          self
            ->request(st.stats, caf::infinite, await_atom::value, partition,
                      last)
            .then(
              [=, stored = std::move(stored)](ok_atom) mutable {
                if (auto h = self->state.publishes.take(ticket))
                  h->promise.deliver(std::move(stored));
              },
              [=](caf::error& err) {
                if (auto h = self->state.publishes.take(ticket))
                  h->promise.deliver(kafka_timeout_as_unavailable(err));
              });
        },
        [=](caf::error& err) {
          auto& st = self->state;
          if (auto h = st.publishes.take(ticket)) {
            st.gate.leave(id, mode::shared);
            h->promise.deliver(kafka_timeout_as_unavailable(err));
          }
        });
  });
}

} // namespace logbase
