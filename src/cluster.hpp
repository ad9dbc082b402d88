#pragma once

/// Several nodes share one app id by owning `events` partitions, and with
/// them the accounts whose key lands there (their events, statistics and
/// writes). Which node owns which partition is decided by Kafka: the nodes
/// form one consumer group on `events` (see actors/kafka_membership.hpp).
/// Each node tells the others what it got through a compacted members
/// topic, one record per node (key: its name):
///
///   {"node":"a","address":"10.0.0.2:4000","partitions":[0,2],"epoch":3}
///
/// written on every change of its assignment, a tombstone when it stops.
/// `address` is where its peers reach it ("" when it takes no peers);
/// `epoch` counts its changes since it started. A partition's owner is the
/// node whose record claims it at the greatest offset: a node claims a
/// partition only after the group gave it, which is after the last owner
/// gave it up (revoked, or dead past its session timeout), so the later
/// claim is the true one and a dead node's stale record loses.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace logbase {

struct node_address {
  std::string host;
  uint16_t port = 0;
};

/// `host:port`; throws std::invalid_argument (naming `key`) when it is not.
node_address parse_node_address(const std::string& text,
                                const std::string& key = "node-address");

/// One node's record in the members topic.
struct member_record {
  std::string node;
  std::string address; ///< host:port for peers, "" when none
  std::vector<int32_t> partitions;
  int64_t epoch = 0;
};

std::string encode_member(const member_record& m);

/// Nothing when the value is not a member record (never throws).
std::optional<member_record> decode_member(std::string_view value);

/// Partition → owner, from the members topic read in offset order.
class ownership_map {
public:
  /// A record of `node` at `offset`; nothing: its tombstone (it left).
  void apply(const std::string& node, std::optional<member_record> m,
             int64_t offset);

  /// The node owning `partition`, or "" when no live record claims it.
  std::string owner_of(int32_t partition) const;

  /// A node's latest record, nullptr when unknown or gone.
  const member_record* member(const std::string& node) const;

  /// Every node with a record, by name.
  std::vector<std::string> nodes() const;

private:
  struct entry {
    member_record record;
    int64_t offset = 0;
  };
  std::map<std::string, entry> members_;
};

/// The partitions `me` keeps a warm copy of (standby): for each partition
/// with a known owner other than `me`, the `replicas` nodes that follow the
/// owner in name order (wrapping around, among the nodes that own some
/// partition, and `me`).
/// Every node computes the same from the same map.
std::set<int32_t> standby_partitions(const ownership_map& owners,
                                     const std::string& me,
                                     int32_t partitions, int32_t replicas);

} // namespace logbase
