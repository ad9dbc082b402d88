#pragma once

/// This node's face to its peers and its share of the work. The app id's
/// consumer group (kafka_membership.hpp) gives each node some `events`
/// partitions; the node tells its stores which to take and release, and
/// writes its share to the members topic (cluster.hpp), which every node
/// reads to learn who owns what and where to reach it. Requests for an
/// account go to the node owning its partition: here, or over a link to
/// the peer (CAF remote actors), or 503 `partition_moving` while nobody
/// does. One link per pair of nodes: the one with the smaller name dials
/// and introduces itself, the other asks it for its store actors over that
/// link (CAF 0.17.6's OpenSSL module breaks when two linked nodes dial each
/// other again: the second link's calls time out and the first one
/// drops). A peer that is down is redialled every second while its record
/// lives. With `node-tls-*` set, links are mutual TLS (node_tls.hpp), else
/// plain TCP.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "src/cluster.hpp"
#include "src/config.hpp"
#include "messages/interfaces.hpp"
#include "src/skipped_records.hpp"

namespace logbase {

struct node_state {
  static inline const char* name = "node";

  config cfg;
  std::string me; ///< this node's name
  int32_t events_partitions = 1;
  skipped_records skipped{"node"};
  kafka_bridge_actor bridge;
  store_actors local;
  /// What the group gave this node, and whether it has said yet.
  std::set<int32_t> assigned;
  /// Partitions of others this node keeps a warm copy of.
  std::set<int32_t> standing_by;
  /// Partitions assigned whose account table has yet to catch up (the
  /// event log and the statistics are told after), by takeover.
  std::map<int32_t, uint64_t> taking;
  uint64_t takeovers = 0;
  bool assigned_once = false;
  /// Changes of this node's share since it started.
  int64_t epoch = 0;
  /// Who owns what, from the members topic.
  ownership_map owners;

  struct peer {
    node_address address;
    node_actor node; ///< once linked, monitored
    std::optional<store_actors> stores;
    bool connecting = false;
    /// Why link attempts failed since the last link (each said once).
    std::set<std::string> failures;
  };
  std::map<std::string, peer> peers;

  /// The node owning an account's partition ("" while none does).
  std::string owner_of(int64_t account_id) const;

  /// This node's record for the members topic.
  member_record record() const;
};

/// Writes this node's share to the members topic (node_share.cpp).
void publish_record(node_actor::stateful_pointer<node_state> self);

/// The stores give partitions up; `done` once all three answered.
void release_from_stores(node_actor::stateful_pointer<node_state> self,
                         const std::vector<int32_t>& released,
                         std::function<void()> done);

/// The stores take partitions: the account table first, the event log and
/// the statistics once it holds their accounts (the statistics count live
/// accounts alone), and only those still this node's by then. The warm
/// copies are updated after: a partition taken is promoted before its copy
/// is let go.
void give_to_stores(node_actor::stateful_pointer<node_state> self,
                    const std::vector<int32_t>& taken);

/// Tells the event log and the statistics which partitions of others to
/// follow (a warm copy: see config::standby_replicas). After an own_atom
/// to the same stores: a partition taken is promoted before its copy is
/// let go.
void update_standbys(node_actor::stateful_pointer<node_state> self);

node_actor::behavior_type
node(node_actor::stateful_pointer<node_state> self, config cfg,
     int32_t events_partitions, kafka_bridge_actor bridge, store_actors local);

} // namespace logbase
