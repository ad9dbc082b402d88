#pragma once

/// The Kafka bridge: the only owner of librdkafka handles. One idempotent
/// producer (acks=all, murmur2 placement) for every write, one consumer that
/// reads the partitions other actors subscribe to and hands them batches,
/// and a transactor for the statistics changelog transactions.

#include <caf/typed_event_based_actor.hpp>

#include "config.hpp"
#include "interfaces.hpp"
#include "kafka_admin.hpp"

namespace logbase {

struct kafka_bridge_state;

/// Spawn detached: librdkafka's calls block the thread they run on.
kafka_bridge_actor::behavior_type
kafka_bridge(kafka_bridge_actor::stateful_pointer<kafka_bridge_state> self,
             config cfg, topic_layout layout);

} // namespace logbase
