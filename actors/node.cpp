#include "actors/node.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"

namespace logbase {

using self_ptr = node_actor::stateful_pointer<node_state>;

std::string node_state::owner_of(int64_t account_id) const {
  auto p = partition_for(encode_long_key(account_id), events_partitions);
  if (assigned.count(p) > 0)
    return me;
  auto owner = owners.owner_of(p);
  // The members topic lags behind this node's own changes.
  return owner == me ? std::string{} : owner;
}

member_record node_state::record() const {
  return member_record{me, cfg.node_address,
                       std::vector<int32_t>(assigned.begin(), assigned.end()),
                       epoch};
}

namespace {

constexpr auto reconnect_interval = std::chrono::seconds(1);
constexpr auto link_timeout = std::chrono::seconds(5);

/// Links up, and partitions this node can answer for (an operator's
/// "is the cluster settled" at a glance).
void count_links(self_ptr self) {
  auto& st = self->state;
  int64_t n = 0;
  for (auto& [name, p] : st.peers)
    n += p.stores ? 1 : 0;
  global_metrics().peers_connected.Set(static_cast<double>(n));
  int64_t routable = 0;
  for (int32_t part = 0; part < st.events_partitions; ++part) {
    if (st.assigned.count(part) > 0) {
      ++routable;
      continue;
    }
    auto owner = st.owners.owner_of(part);
    auto p = st.peers.find(owner);
    routable += owner != st.me && p != st.peers.end() && p->second.stores;
  }
  global_metrics().partitions_routable.Set(static_cast<double>(routable));
}

/// A link attempt failed: each reason said once until a link comes up,
/// not every second.
void failed(self_ptr self, const std::string& name, const caf::error& err) {
  auto i = self->state.peers.find(name);
  if (i == self->state.peers.end())
    return;
  auto& p = i->second;
  p.connecting = false;
  auto why = self->system().render(err);
  if (!p.failures.insert(why).second)
    return;
  log(log_level::info, "node", "no link to node ", name, " at ",
      p.address.host, ":", p.address.port, " yet: ", why);
}

/// Peer `name` answers through `node`, monitored: a lost node is dropped.
void meet(self_ptr self, const std::string& name, const node_actor& node) {
  auto& p = self->state.peers[name];
  if (p.node == node)
    return;
  if (p.node)
    self->demonitor(p.node.address());
  p.stores.reset();
  p.node = node;
  self->monitor(node);
  count_links(self);
}

void linked(self_ptr self, const std::string& name, store_actors stores) {
  auto& p = self->state.peers[name];
  p.connecting = false;
  p.failures.clear();
  p.stores = stores;
  count_links(self);
  log(log_level::info, "node", "connected to node ", name, " at ",
      p.address.host, ":", p.address.port);
}

/// Asks a peer that dialled this node for its store actors.
void ask_stores(self_ptr self, const std::string& name) {
  auto& p = self->state.peers[name];
  p.connecting = true;
  auto asked = p.node;
  // An answer of a link the peer has replaced since is stale: its stores
  // are not the peer's (and that link is no longer monitored).
  auto current = [=] {
    auto i = self->state.peers.find(name);
    return i != self->state.peers.end() && i->second.node == asked;
  };
  self->request(asked, link_timeout, get_atom::value)
    .then(
      [=](account_table_actor a, event_log_actor e, stats_actor s) {
        if (current())
          linked(self, name, store_actors{a, e, s});
      },
      [=](const caf::error& err) {
        if (current())
          failed(self, name, err);
      });
}

/// Dials a peer of a greater name and introduces this node.
void dial(self_ptr self, const std::string& name) {
  auto& st = self->state;
  auto& p = st.peers[name];
  p.connecting = true;
  // The OpenSSL module's middleman dials with TLS; the plain one without.
  auto mm = st.cfg.node_tls()
              ? self->system().openssl_manager().actor_handle()
              : self->system().middleman().actor_handle();
  self
    ->request(mm, link_timeout, caf::connect_atom::value, p.address.host,
              p.address.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        auto peer = caf::actor_cast<node_actor>(ptr);
        meet(self, name, peer);
        self->request(peer, link_timeout, hello_atom::value, self->state.me)
          .then(
            [=](account_table_actor a, event_log_actor e, stats_actor s) {
              linked(self, name, store_actors{a, e, s});
            },
            [=](const caf::error& err) { failed(self, name, err); });
      },
      [=](const caf::error& err) { failed(self, name, err); });
}

/// Links to the members not linked yet; forgets those gone.
void connect_peers(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.linked())
    return;
  for (auto& name : st.owners.nodes()) {
    auto* m = st.owners.member(name);
    if (name == st.me || m == nullptr || m->address.empty())
      continue;
    try {
      st.peers[name].address = parse_node_address(m->address);
    } catch (const std::invalid_argument&) {
      continue;
    }
  }
  for (auto& [name, p] : st.peers) {
    if (p.stores || p.connecting || p.address.port == 0)
      continue;
    if (st.owners.member(name) == nullptr && !p.node)
      continue; // gone, and not linked
    if (st.me < name)
      dial(self, name);
    else if (p.node) // it dialled; its stores are missing
      ask_stores(self, name);
  }
}

void on_members(self_ptr self, const record_batch& batch) {
  auto& st = self->state;
  for (auto& r : batch.records) {
    if (r.tombstone) {
      st.owners.apply(r.key, std::nullopt, r.offset);
      continue;
    }
    auto m = decode_member(r.value);
    if (!m || m->node != r.key) {
      // A record without its node's name is of no node: it cannot be
      // placed, nor routed to.
      st.skipped.report(topic::members,
                        m ? record_fault::no_node : record_fault::undecodable,
                        st.cfg.topic_name(topic::members), r.partition,
                        r.offset);
      continue;
    }
    log(log_level::debug, "node", "members record of ", r.key, " at ",
        r.offset, ": ", r.value);
    st.owners.apply(r.key, std::move(*m), r.offset);
  }
  connect_peers(self);
  count_links(self);
  update_standbys(self);
}

} // namespace

node_actor::behavior_type node(self_ptr self, config cfg,
                               int32_t events_partitions,
                               kafka_bridge_actor bridge, store_actors local) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.me = st.cfg.name_of_node();
  st.events_partitions = events_partitions;
  st.bridge = bridge;
  st.local = local;
  self->set_down_handler([=](caf::down_msg& msg) {
    for (auto& [name, p] : self->state.peers)
      if (p.node && msg.source == p.node.address()) {
        p.node = nullptr;
        p.connecting = false;
        if (p.stores) {
          log(log_level::warn, "node", "lost node ", name);
          p.stores.reset();
        }
      }
    count_links(self);
  });
  self->send(bridge, subscribe_atom::value,
             std::vector<assignment>{
               assignment{id_of(topic::members), 0, -2}},
             caf::actor_cast<record_sink_actor>(self));
  self->send(bridge, join_atom::value,
             caf::actor_cast<membership_sink_actor>(self));
  if (st.cfg.linked())
    self->send(self, peer_atom::value);
  return {
    [=](get_atom) -> caf::result<account_table_actor, event_log_actor,
                                 stats_actor> {
      auto& l = self->state.local;
      return {l.accounts, l.events, l.stats};
    },
    [=](hello_atom, const std::string& name)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      auto& st = self->state;
      auto peer = caf::actor_cast<node_actor>(self->current_sender());
      // Only the smaller name dials (see node.hpp).
      if (!peer || !(name < st.me))
        return caf::sec::invalid_argument;
      bool relinked = st.peers[name].node != peer;
      meet(self, name, peer);
      auto& p = st.peers[name];
      // (A request to its previous link may be in flight: ask this one.)
      if (!p.stores && (!p.connecting || relinked))
        ask_stores(self, name);
      return {st.local.accounts, st.local.events, st.local.stats};
    },
    [=](route_atom, int64_t account_id)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      auto& st = self->state;
      auto owner = st.owner_of(account_id);
      if (owner == st.me)
        return {st.local.accounts, st.local.events, st.local.stats};
      if (owner.empty())
        return moving_error(account_id);
      auto p = st.peers.find(owner);
      if (p == st.peers.end() || !p->second.stores)
        return make_error(error_code::peer_unavailable,
                          "node " + owner + ", which owns account "
                            + std::to_string(account_id)
                            + ", is not reachable");
      auto& s = *p->second.stores;
      return {s.accounts, s.events, s.stats};
    },
    [=](peer_atom) {
      connect_peers(self);
      self->delayed_send(self, reconnect_interval, peer_atom::value);
    },
    [=](assign_atom, const std::vector<int32_t>& parts) {
      auto& st = self->state;
      st.assigned_once = true;
      st.assigned.insert(parts.begin(), parts.end());
      for (auto p : parts)
        global_metrics().standby_takeovers.Increment(
          static_cast<double>(st.standing_by.count(p)));
      ++st.epoch;
      log(log_level::info, "node", "taking partitions ", listed(parts));
      count_links(self);
      give_to_stores(self, parts);
      publish_record(self);
    },
    [=](revoke_atom, const std::vector<int32_t>& parts) -> caf::result<ok_atom> {
      auto& st = self->state;
      log(log_level::debug, "node", "revoking partitions ", listed(parts));
      for (auto p : parts) {
        st.assigned.erase(p);
        st.taking.erase(p);
      }
      ++st.epoch;
      count_links(self);
      auto rp = self->make_response_promise<ok_atom>();
      release_from_stores(self, parts, [=]() mutable {
        log(log_level::info, "node", "gave up partitions ", listed(parts));
        update_standbys(self);
        publish_record(self);
        rp.deliver(ok_atom::value);
      });
      return rp;
    },
    [=](records_atom, const record_batch& batch) { on_members(self, batch); },
    [=](error_atom, const std::string& why) {
      log(log_level::error, "node", "cannot read the members topic: ", why);
    },
  };
}

} // namespace logbase
