#include "node.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>

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
constexpr auto link_timeout = std::chrono::seconds(5);

/// A link attempt failed: each reason said once until a link comes up,
/// not every second.
void failed(self_ptr self, size_t index, const caf::error& err) {
  auto& st = self->state;
  st.connecting[index] = false;
  auto why = self->system().render(err);
  if (!st.link_failures[index].insert(why).second)
    return;
  log(log_level::info, "node", "no link to node ", index, " at ",
      st.addresses[index].host, ":", st.addresses[index].port, " yet: ", why);
}

/// Peer `index` answers through `peer`, monitored: a lost node is dropped.
void meet(self_ptr self, size_t index, const node_actor& peer) {
  auto& st = self->state;
  if (st.peer_nodes[index] == peer)
    return;
  if (st.peer_nodes[index])
    self->demonitor(st.peer_nodes[index].address());
  if (st.peers[index]) {
    st.peers[index].reset();
    global_metrics().peers_connected--;
  }
  st.peer_nodes[index] = peer;
  self->monitor(peer);
}

void linked(self_ptr self, size_t index, store_actors stores) {
  auto& st = self->state;
  st.connecting[index] = false;
  st.link_failures[index].clear();
  if (!st.peers[index])
    global_metrics().peers_connected++;
  st.peers[index] = stores;
  log(log_level::info, "node", "connected to node ", index, " at ",
      st.addresses[index].host, ":", st.addresses[index].port);
}

/// Asks a peer that dialled this node for its store actors.
void ask_stores(self_ptr self, size_t index) {
  auto& st = self->state;
  st.connecting[index] = true;
  self->request(st.peer_nodes[index], link_timeout, get_atom::value)
    .then(
      [=](account_table_actor a, event_log_actor e, stats_actor s) {
        linked(self, index, store_actors{a, e, s});
      },
      [=](const caf::error& err) { failed(self, index, err); });
}

/// Dials a peer of a higher index and introduces this node.
void dial(self_ptr self, size_t index) {
  auto& st = self->state;
  st.connecting[index] = true;
  auto& addr = st.addresses[index];
  // The OpenSSL module's middleman dials with TLS; the plain one without.
  auto mm = st.cfg.node_tls()
              ? self->system().openssl_manager().actor_handle()
              : self->system().middleman().actor_handle();
  self
    ->request(mm, link_timeout, caf::connect_atom::value, addr.host,
              addr.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        auto peer = caf::actor_cast<node_actor>(ptr);
        meet(self, index, peer);
        auto me = static_cast<uint64_t>(self->state.cluster.index());
        self->request(peer, link_timeout, hello_atom::value, me)
          .then(
            [=](account_table_actor a, event_log_actor e, stats_actor s) {
              linked(self, index, store_actors{a, e, s});
            },
            [=](const caf::error& err) { failed(self, index, err); });
      },
      [=](const caf::error& err) { failed(self, index, err); });
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
  st.link_failures.resize(st.addresses.size());
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (size_t i = 0; i < st.peer_nodes.size(); ++i)
      if (st.peer_nodes[i] && msg.source == st.peer_nodes[i].address()) {
        st.peer_nodes[i] = nullptr;
        if (st.peers[i]) {
          log(log_level::warn, "node", "lost node ", i);
          st.peers[i].reset();
          global_metrics().peers_connected--;
        }
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
    [=](hello_atom, uint64_t index)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      auto& st = self->state;
      auto peer = caf::actor_cast<node_actor>(self->current_sender());
      // Only a lower index dials (see node.hpp).
      if (!peer || index >= st.cluster.index())
        return caf::sec::invalid_argument;
      meet(self, index, peer);
      if (!st.peers[index] && !st.connecting[index])
        ask_stores(self, index);
      return {st.local.accounts, st.local.events, st.local.stats};
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
      auto me = st.cluster.index();
      for (size_t i = 0; i < st.addresses.size(); ++i) {
        if (i == me || st.peers[i] || st.connecting[i])
          continue;
        if (i > me)
          dial(self, i);
        else if (st.peer_nodes[i]) // it dialled; its stores are missing
          ask_stores(self, i);
      }
      self->delayed_send(self, reconnect_interval, peer_atom::value);
    },
  };
}

} // namespace logbase
