#pragma once

/// The Kafka bridge: the only owner of librdkafka handles. One idempotent
/// producer (acks=all, murmur2 placement) for every write, one consumer that
/// reads the partitions other actors subscribe to and hands them batches,
/// and a transactor for the statistics changelog transactions.

#include <caf/typed_event_based_actor.hpp>

#include "src/config.hpp"
#include "messages/interfaces.hpp"
#include "kafka/kafka_admin.hpp"

namespace logbase {

/// Spawns the bridge on a thread of its own: librdkafka's calls block.
/// Throws std::runtime_error when the Kafka settings are unusable.
kafka_bridge_actor spawn_kafka_bridge(caf::actor_system& sys, config cfg,
                                      topic_layout layout);

} // namespace logbase
