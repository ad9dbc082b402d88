#pragma once

/// Kafka records as plain values: what the bridge produces and hands out.
/// No librdkafka here, so every other component stays free of it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/model.hpp"
#include "src/topics.hpp"

namespace logbase {

/// A Kafka record header (logbase writes one: `idempotency`, see
/// idempotency.hpp).
struct record_header {
  std::string name;
  std::string value;
};

/// The value of the first header named `name`, or nullptr.
inline const std::string* find_header(const std::vector<record_header>& hs,
                                      std::string_view name) {
  for (auto& h : hs)
    if (h.name == name)
      return &h.value;
  return nullptr;
}

/// A record to produce. `partition < 0` lets murmur2 place it by key.
struct out_record {
  uint8_t topic_id = 0; ///< a `topic`
  int32_t partition = -1;
  std::string key;
  std::string value;
  bool tombstone = false; ///< null value: a delete in a compacted topic
  int64_t timestamp_ms = 0; ///< 0: the producer's clock
  std::vector<record_header> headers;
  /// An events record's event, as its writer has it: the delivery report
  /// hands it to the event log and the statistics as read, without copying
  /// the value back or decoding it again (a batch POST writes thousands).
  /// Local only: it does not travel between nodes.
  std::optional<event> known_event;
};

/// Where a produced record landed.
struct delivery {
  int32_t partition = -1;
  int64_t offset = -1;
};

/// What librdkafka reported for one record of a produce request.
struct delivery_report {
  uint64_t batch = 0; ///< the request, numbered by the bridge
  uint32_t index = 0; ///< the record within it
  uint8_t topic_id = 0;
  delivery where;
  std::string error; ///< empty: durable
};

/// A consumed record.
struct in_record {
  uint8_t topic_id = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
  bool tombstone = false;
  std::vector<record_header> headers;
};

/// A partition to read, from `start_offset` (-2: from the beginning).
struct assignment {
  uint8_t topic_id = 0;
  int32_t partition = 0;
  int64_t start_offset = -2;
};

/// An `events` record's value, read once by the thread that consumed it
/// or saw it delivered (read_events in record_checks.hpp), so that the
/// event log and the statistics, which both follow every events partition,
/// do not each decode it again on the actors' thread.
struct read_event {
  event value;
  uint8_t fault = 0; ///< 0: `value` holds the event; else a record_fault + 1
};

/// What one poll brought for one subscriber: records, and the partitions
/// whose end it reached (restores finish on these).
struct record_batch {
  std::vector<in_record> records;
  std::vector<assignment> reached_end; ///< start_offset = the end offset
  /// Empty, or one per record: the events read ahead (event_at reads them).
  std::vector<read_event> events;
};

constexpr uint8_t id_of(topic t) {
  return static_cast<uint8_t>(t);
}

/// Partitions 0 … n-1 of a topic, each read from `start_offset`.
inline std::vector<assignment> all_partitions(topic t, int32_t n,
                                              int64_t start_offset = -2) {
  std::vector<assignment> out;
  for (int32_t p = 0; p < n; ++p)
    out.push_back(assignment{id_of(t), p, start_offset});
  return out;
}

/// Some partitions of a topic, each read from `start_offset`.
inline std::vector<assignment> these_partitions(topic t,
                                                const std::vector<int32_t>& ps,
                                                int64_t start_offset = -2) {
  std::vector<assignment> out;
  for (auto p : ps)
    out.push_back(assignment{id_of(t), p, start_offset});
  return out;
}

} // namespace logbase
