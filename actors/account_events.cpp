#include "account_table.hpp"

#include <caf/all.hpp>

#include "caf_errors.hpp"

namespace logbase {

/// Publishes events of an existing account: durable, indexed, then counted.
/// A DELETE that arrives later waits until this is answered (and then
/// hides the events with the account); one that came first makes this 404.
void publish_events(account_table_self self,
                    caf::typed_response_promise<std::vector<event>> rp,
                    int64_t id, std::vector<event> events, std::string key,
                    uint64_t body_hash) {
  using mode = key_gate::mode;
  self->state.gate.enter(id, mode::shared, [=]() mutable {
    auto& st = self->state;
    auto leave = [=] { self->state.gate.leave(id, mode::shared); };
    auto* a = st.store.find(id);
    if (a == nullptr) {
      rp.deliver(make_error(account_not_found(id)));
      leave();
      return;
    }
    // Both steps have their own timeouts; these only guarantee that the
    // account is never left locked.
    auto guard = st.write_timeout() + std::chrono::seconds(2);
    // A key's parts from before `events_since` belong to a deleted
    // incarnation of the account: the event log ignores them.
    self
      ->request(st.events, guard, publish_atom::value, std::move(events),
                std::move(key), body_hash, a->events_since)
      .then(
        [=](std::vector<event>& stored) mutable {
          leave();
          // Read-your-writes for statistics: answer once counted.
          int32_t partition = self->state.events_partition_of(id);
          int64_t last = -1;
          for (auto& e : stored)
            last = std::max(last, e.offset);
          self
            ->request(self->state.stats, guard, await_atom::value, partition,
                      last)
            .then([=](ok_atom) mutable { rp.deliver(std::move(stored)); },
                  [=](caf::error& err) mutable {
                    rp.deliver(kafka_timeout_as_unavailable(err));
                  });
        },
        [=](caf::error& err) mutable {
          leave();
          rp.deliver(kafka_timeout_as_unavailable(err));
        });
  });
}

} // namespace logbase
