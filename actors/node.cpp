#include "node.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>

#include "caf_errors.hpp"
#include "codec.hpp"
#include "log.hpp"
#include "metrics.hpp"

namespace logbase {

using self_ptr = node_actor::stateful_pointer<node_state>;

size_t node_state::owner_of(int64_t account_id) const {
  return cluster.owner_of(
    partition_for(encode_long_key(account_id), events_partitions));
}

namespace {

constexpr auto reconnect_interval = std::chrono::seconds(1);

void connect(self_ptr self, size_t index) {
  auto& st = self->state;
  if (st.connecting[index] || st.peers[index])
    return;
  st.connecting[index] = true;
  auto& addr = st.addresses[index];
  auto mm = self->system().middleman().actor_handle();
  self
    ->request(mm, std::chrono::seconds(5), caf::connect_atom::value,
              addr.host, addr.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        auto peer = caf::actor_cast<node_actor>(ptr);
        self->request(peer, std::chrono::seconds(5), get_atom::value)
          .then(
            [=](account_table_actor a, event_log_actor e, stats_actor s) {
              auto& st = self->state;
              st.connecting[index] = false;
              st.peers[index] = store_actors{a, e, s};
              global_metrics().peers_connected++;
              st.peer_nodes[index] = caf::actor_cast<caf::actor_addr>(peer);
              self->monitor(peer);
              log(log_level::info, "node", "connected to node ", index, " at ",
                  st.addresses[index].host, ":", st.addresses[index].port);
            },
            [=](const caf::error&) { self->state.connecting[index] = false; });
      },
      [=](const caf::error&) { self->state.connecting[index] = false; });
}

} // namespace

node_actor::behavior_type node(self_ptr self, config cfg,
                               int32_t events_partitions, store_actors local) {
  auto& st = self->state;
  st.cluster = cfg.cluster();
  st.addresses = cfg.nodes.empty() ? std::vector<node_address>{}
                                   : parse_nodes(cfg.nodes);
  st.cfg = std::move(cfg);
  st.events_partitions = events_partitions;
  st.local = local;
  st.peers.resize(st.addresses.size());
  st.connecting.resize(st.addresses.size(), false);
  st.peer_nodes.resize(st.addresses.size());
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (size_t i = 0; i < st.peers.size(); ++i)
      if (st.peers[i] && msg.source == st.peer_nodes[i]) {
        log(log_level::warn, "node", "lost node ", i);
        st.peers[i].reset();
        global_metrics().peers_connected--;
      }
  });
  if (!st.cluster.single())
    self->send(self, peer_atom::value);
  return {
    [=](get_atom) -> caf::result<account_table_actor, event_log_actor,
                                 stats_actor> {
      auto& l = self->state.local;
      return {l.accounts, l.events, l.stats};
    },
    [=](route_atom, int64_t account_id)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      auto& st = self->state;
      auto owner = st.cluster.single() ? st.cluster.index()
                                       : st.owner_of(account_id);
      if (owner == st.cluster.index())
        return {st.local.accounts, st.local.events, st.local.stats};
      if (!st.peers[owner])
        return make_error(error_code::peer_unavailable,
                          "node " + std::to_string(owner)
                            + ", which owns account "
                            + std::to_string(account_id)
                            + ", is not reachable");
      auto& p = *st.peers[owner];
      return {p.accounts, p.events, p.stats};
    },
    [=](peer_atom) {
      auto& st = self->state;
      for (size_t i = 0; i < st.addresses.size(); ++i)
        if (i != st.cluster.index())
          connect(self, i);
      self->delayed_send(self, reconnect_interval, peer_atom::value);
    },
  };
}

} // namespace logbase
