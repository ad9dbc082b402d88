#pragma once

/// This node's face to its peers. With several nodes (config `nodes`), each
/// owns the `events` partitions p with p % n == its index, and the accounts
/// whose key lands there. The node actor is published for CAF remote
/// actors; it connects to every peer, asks each for its store actors, and
/// routes requests for an account to the node that owns it. A peer that is
/// down is reconnected every second; its accounts get 503 meanwhile.

#include <optional>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "cluster.hpp"
#include "config.hpp"
#include "interfaces.hpp"

namespace logbase {

struct node_state {
  static inline const char* name = "node";

  config cfg;
  cluster_layout cluster;
  std::vector<node_address> addresses;
  int32_t events_partitions = 1;
  store_actors local;
  /// Each peer's store actors once connected (this node's own slot unused).
  std::vector<std::optional<store_actors>> peers;
  /// The peers' node actors, monitored: a lost node is reconnected.
  std::vector<caf::actor_addr> peer_nodes;
  std::vector<bool> connecting;

  /// The node owning an account.
  size_t owner_of(int64_t account_id) const;
};

node_actor::behavior_type
node(node_actor::stateful_pointer<node_state> self, config cfg,
     int32_t events_partitions, store_actors local);

} // namespace logbase
