#pragma once

/// Topic set-up at start: creates missing topics with the settings of the
/// contract and refuses existing ones that contradict them. Part of the
/// Kafka bridge component (the only code that includes librdkafka).

#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "src/config.hpp"
#include "src/topics.hpp"

namespace logbase {

/// What a topic must look like.
struct topic_spec {
  std::string name;
  int32_t partitions = 1;
  std::map<std::string, std::string> configs; ///< set when creating
};

/// The specs of SPEC §2 for this config.
std::array<topic_spec, all_topics.size()> topic_specs(const config& cfg);

/// Why an existing topic's configs contradict the spec, or "" if they don't.
std::string contradiction(topic t, const topic_spec& spec,
                          const std::map<std::string, std::string>& actual);

/// Creates what is missing, checks what exists; throws std::runtime_error
/// with a message for the operator when the broker is unreachable or a
/// topic contradicts the contract.
topic_layout ensure_topics(const config& cfg);

/// Configs of one topic as the broker reports them (tests use this).
std::map<std::string, std::string> describe_topic_configs(
  const config& cfg, const std::string& topic_name);

} // namespace logbase
