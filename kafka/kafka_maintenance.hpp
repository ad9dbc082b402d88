#pragma once

/// What `tools/reset` and `tools/purge` (`logbase reset|purge`) ask Kafka:
/// who is in a consumer group, which groups read a topic, how many windows
/// a changelog holds, and deleting topics. Plain calls, for a command line
/// (they block), never inside an actor.

#include <cstdint>
#include <string>
#include <vector>

#include "src/config.hpp"

namespace logbase {

/// A consumer group as its coordinator has it now.
struct group_state {
  std::string state; ///< "Stable", "Empty", "Dead", …
  /// Its members, each as `instance-id@host` (a logbase node's name).
  std::vector<std::string> members;
};

group_state describe_group(const config& cfg, const std::string& group);

/// The groups that committed offsets of `topic` (the app ids whose nodes
/// counted its events).
std::vector<std::string> groups_reading(const config& cfg,
                                        const std::string& topic);

/// Which of `names` exist.
std::vector<std::string> topics_present(const config& cfg,
                                        const std::vector<std::string>& names);

/// Deletes the topics; throws std::runtime_error naming one that failed.
void delete_topics(const config& cfg, const std::vector<std::string>& names);

/// The statistics windows a changelog holds (its last value per key,
/// tombstones forgotten), and how many of them are of days before
/// `first_kept_day` (days since the epoch).
struct window_census {
  int64_t windows = 0;
  int64_t older = 0;
};

window_census count_windows(const config& cfg, const std::string& changelog,
                            int32_t first_kept_day);

} // namespace logbase
