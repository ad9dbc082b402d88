#include "actors/node.hpp"

// A node's share of the partitions: what its stores take and give up, the
// warm copies it keeps, and its record in the members topic (node.cpp
// runs the node).

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"

namespace logbase {

using self_ptr = node_actor::stateful_pointer<node_state>;

namespace {

/// Asks `stores` to take and release partitions; `done` once all answered.
template <class F>
void ask_owners(self_ptr self, std::vector<partition_owner_actor> stores,
                const std::vector<int32_t>& taken,
                const std::vector<int32_t>& released, F done) {
  auto left = std::make_shared<size_t>(stores.size());
  auto one = [=](auto&&...) mutable {
    if (--*left == 0)
      done();
  };
  for (auto& store : stores)
    self->request(store, caf::infinite, own_atom::value, taken, released)
      .then([=](ok_atom) mutable { one(); },
            [=](const caf::error& err) mutable {
              log(log_level::warn, "node", "a store did not take its share: ",
                  to_failure(err).message);
              one();
            });
}

} // namespace

void publish_record(self_ptr self) {
  auto& st = self->state;
  global_metrics().set_owned_partitions(
    std::vector<int32_t>(st.assigned.begin(), st.assigned.end()));
  out_record r;
  r.topic_id = id_of(topic::members);
  r.partition = 0;
  r.key = st.me;
  r.value = encode_member(st.record());
  self
    ->request(st.bridge, caf::infinite, produce_atom::value,
              std::vector<out_record>{std::move(r)})
    .then([](const std::vector<delivery>&) {},
          [](const caf::error& err) {
            log(log_level::warn, "node", "cannot write this node's share to "
                "the members topic: ", to_failure(err).message);
          });
}

void release_from_stores(self_ptr self, const std::vector<int32_t>& released,
                         std::function<void()> done) {
  auto& l = self->state.local;
  ask_owners(self, {l.accounts, l.events, l.stats}, {}, released, done);
}

void give_to_stores(self_ptr self, const std::vector<int32_t>& taken) {
  auto& st = self->state;
  auto ticket = ++st.takeovers;
  for (auto p : taken)
    st.taking[p] = ticket;
  auto rest = [=](auto&&...) {
    auto& st = self->state;
    std::vector<int32_t> still;
    for (auto p : taken)
      if (auto i = st.taking.find(p);
          i != st.taking.end() && i->second == ticket) {
        st.taking.erase(i);
        still.push_back(p);
      }
    if (!still.empty())
      ask_owners(self, {st.local.events, st.local.stats}, still, {}, [] {});
    update_standbys(self);
  };
  ask_owners(self, {st.local.accounts}, taken, {}, rest);
}

void update_standbys(self_ptr self) {
  auto& st = self->state;
  if (st.cfg.standby_replicas <= 0)
    return;
  auto wanted = standby_partitions(st.owners, st.me, st.events_partitions,
                                   st.cfg.standby_replicas);
  for (auto p : st.assigned)
    wanted.erase(p);
  std::vector<int32_t> taken;
  std::vector<int32_t> released;
  for (auto p : wanted)
    if (st.standing_by.count(p) == 0)
      taken.push_back(p);
  for (auto p : st.standing_by) {
    if (wanted.count(p) > 0)
      continue;
    if (st.taking.count(p) > 0)
      wanted.insert(p); // kept until its takeover reaches the stores
    else
      released.push_back(p);
  }
  if (taken.empty() && released.empty())
    return;
  st.standing_by = std::move(wanted);
  global_metrics().partitions_standby.Set(
    static_cast<double>(st.standing_by.size()));
  log(log_level::info, "node", "keeping warm copies of partitions ",
      listed(std::vector<int32_t>(st.standing_by.begin(),
                                  st.standing_by.end())));
  self->send(st.local.events, standby_atom::value, taken, released);
  self->send(st.local.stats, standby_atom::value, taken, released);
}

} // namespace logbase
