#pragma once

/// Plain values that travel between actors (and nodes); what lets them be
/// CAF messages is in messages/inspect.hpp.

#include <cstdint>
#include <string>
#include <vector>

namespace logbase {

/// Largest id a client or the server may use: ids stay exact in JavaScript.
constexpr int64_t max_account_id = (int64_t{1} << 53) - 1;

/// An account as the table holds it.
struct account {
  int64_t id = 0;
  std::string name;
  int64_t version = 0;
  /// First offset of the account's `events` partition that belongs to this
  /// incarnation: events before it were published for a deleted predecessor.
  int64_t events_since = 0;
};

inline bool operator==(const account& a, const account& b) {
  return a.id == b.id && a.name == b.name && a.version == b.version
         && a.events_since == b.events_since;
}

/// One event of an account.
struct event {
  int64_t account_id = 0;
  std::string type;
  int64_t happened_at_ns = 0; ///< event time, nanoseconds since the epoch
  int64_t offset = -1;        ///< position in its `events` partition
};

/// How many events of one type an account had on one UTC day.
struct daily_count {
  int32_t day = 0; ///< days since 1970-01-01
  std::string type;
  int64_t count = 0;
};

/// Which events a listing wants.
struct event_query {
  int64_t account_id = 0;
  int64_t events_since = 0; ///< hide offsets before this (earlier incarnation)
  int64_t from_ns = INT64_MIN;
  int64_t to_ns = INT64_MAX; ///< exclusive
  std::string type;          ///< empty: every type
  int64_t limit = 1000;
  int64_t after_offset = -1; ///< SSE resume: only offsets after this
};

/// Which counts a statistics read wants.
struct stats_query {
  int64_t account_id = 0;
  int32_t from_day = INT32_MIN;
  int32_t to_day = INT32_MAX; ///< inclusive
  std::string type;
};

} // namespace logbase
