#pragma once

/// The Kafka bridge's helpers on threads of their own, so that their
/// blocking librdkafka calls never hold up producing and consuming: the
/// transactor commits the statistics changelog transactions, the querier
/// asks the broker for end offsets the consumers have not seen (each query
/// on a thread of its own, so that a slow one holds up no other).

#include <array>
#include <memory>
#include <string>

#include <caf/typed_event_based_actor.hpp>

#include "src/config.hpp"
#include "messages/interfaces.hpp"
#include "kafka/kafka_membership.hpp"

namespace logbase {

using topic_names = std::array<std::string, all_topics.size()>;

/// Commits records in one transaction (transactional id
/// `<app-id>-stats-<node-name>`: a restarted node fences its predecessor).
/// The transaction also commits the checkpoints' `events` offsets to the
/// app id's consumer group with this node's membership, so that the group
/// coordinator refuses it, and the transaction aborts, once this node is
/// no longer a member of the current generation: a node cut off long
/// enough for its partitions to move on cannot write stale counts after.
using transactor_actor = caf::typed_actor<
  caf::replies_to<commit_atom, std::vector<out_record>>::with<ok_atom>>;

/// End-offset queries, each answered within a quarter of the write timeout.
using querier_actor = caf::typed_actor<
  caf::replies_to<watermark_atom, uint8_t, int32_t>::with<int64_t>,
  caf::replies_to<ends_atom, uint8_t, int32_t>::with<std::vector<int64_t>>>;

/// Spawn detached and linked to `parent` (the bridge).
transactor_actor spawn_transactor(caf::local_actor* parent, config cfg,
                                  topic_names names,
                                  std::shared_ptr<membership_slot> group);

/// Spawns linked to `parent` (the bridge); its queries run detached.
querier_actor spawn_querier(caf::local_actor* parent, config cfg,
                            topic_names names);

} // namespace logbase
