#pragma once

/// The Kafka topics and state stores logbase knows, by role. Their names come
/// from the config (`config::topic_name`), as the original app's models.kt did.

#include <array>
#include <cstdint>
#include <string_view>

namespace logbase {

/// A topic by the role it plays.
enum class topic : uint8_t {
  accounts,        ///< compacted table of accounts, key = account id
  events,          ///< every event, key = account id, time-retained
  id_blocks,       ///< claims of server-assigned id blocks, compacted
  stats_changelog, ///< daily counts and their checkpoints, compacted
  members,         ///< which node owns which partitions, compacted
};

inline constexpr std::array all_topics{topic::accounts, topic::events,
                                       topic::id_blocks, topic::stats_changelog,
                                       topic::members};

/// Partitions of each topic as the broker has them.
struct topic_layout {
  std::array<int32_t, all_topics.size()> partitions{};

  int32_t of(topic t) const {
    return partitions[static_cast<size_t>(t)];
  }
};

/// A state store by name (the part of a changelog topic after the app id).
enum class store : uint8_t {
  daily_stats_windowed,
};

/// Default names, as the original app used them.
constexpr std::string_view default_name(topic t) {
  switch (t) {
    case topic::accounts:
      return "accounts";
    case topic::events:
      return "events";
    case topic::id_blocks:
      return "accounts.id-blocks";
    case topic::stats_changelog:
      return "daily_stats_windowed-changelog";
    case topic::members:
      return "members";
  }
  return "";
}

constexpr std::string_view default_name(store s) {
  switch (s) {
    case store::daily_stats_windowed:
      return "daily_stats_windowed";
  }
  return "";
}

} // namespace logbase
