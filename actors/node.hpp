#pragma once

/// This node's face to its peers. With several nodes (config `nodes`), each
/// owns the `events` partitions p with p % n == its index, and the accounts
/// whose key lands there. The node actor is published for CAF remote
/// actors; it links to every peer, learns each one's store actors, and
/// routes requests for an account to the node that owns it. One link per
/// pair of nodes: the lower index dials and introduces itself, the higher
/// asks it for its store actors over that link (CAF 0.17.6's OpenSSL module
/// breaks when two linked nodes dial each other again: the second link's
/// calls time out and the first one drops). A peer that is down is redialled
/// every second; its accounts get 503 meanwhile. With `node-tls-*` set,
/// links are mutual TLS (node_tls.hpp), else plain TCP.

#include <optional>
#include <set>
#include <string>
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
  /// The peers' node actors once linked, monitored: a lost node is
  /// redialled.
  std::vector<node_actor> peer_nodes;
  std::vector<bool> connecting;
  /// Why link attempts to each peer failed since its last link.
  std::vector<std::set<std::string>> link_failures;

  /// The node owning an account.
  size_t owner_of(int64_t account_id) const;
};

node_actor::behavior_type
node(node_actor::stateful_pointer<node_state> self, config cfg,
     int32_t events_partitions, store_actors local);

} // namespace logbase
