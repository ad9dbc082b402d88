#pragma once

/// Rules for records read from the topics. Other producers write to them too
/// (the original app, kcat, a bad deploy), so a record that decodes may
/// still make no sense: a "poison record". It is skipped like one that does
/// not decode, so that what is served stays what the API could have written
/// (README, "Poison records").

#include <cstdint>
#include <string_view>
#include <variant>

#include "src/model.hpp"
#include "src/records.hpp"

namespace logbase {

/// Why a record is skipped.
enum class record_fault : uint8_t {
  undecodable,  ///< not in the topic's format at all
  bad_key,      ///< the key is not an 8-byte account id
  misplaced,    ///< on another partition than murmur2 of its key gives
  key_mismatch, ///< the key names another account than the value
  bad_id,       ///< an account id outside 1 … 2^53-1
  bad_name,     ///< a name the API refuses
  bad_type,     ///< an event type the API refuses
  bad_time,     ///< a happenedAt before 1970 or from 2100 on
  bad_count,    ///< a negative count in the statistics changelog
  no_node,      ///< a members record that names no node
};

/// The `reason` label of the metrics and the word in log lines.
std::string_view name_of(record_fault f);

/// What a record held, or why it is skipped.
template <class T>
using checked = std::variant<T, record_fault>;

/// Event times a record may carry: [1970-01-01, 2100-01-01). The API takes
/// only times near now; the fixed bounds keep the rule the same on every
/// node and at every restore, whenever it reads the record.
inline constexpr int64_t earliest_event_ns = 0;
inline constexpr int64_t latest_event_ns = 4'102'444'800LL * 1'000'000'000LL;

/// The account id of an 8-byte account key (`accounts`, `events`, the
/// start of a changelog count's key), if `partition` is the one murmur2
/// gives that key among `partitions` (0: not checked).
checked<int64_t> check_account_key(std::string_view key, int32_t partition,
                                   int32_t partitions);

/// An `accounts` value (not a tombstone) found under key `key_id`.
checked<account> check_account_value(int64_t key_id, std::string_view value);

/// An `events` record: its key, its partition and its value.
checked<event> check_event_record(const in_record& r, int32_t partitions);

/// Reads every `events` record of `b` ahead into `b.events` (all of
/// check_event_record but the placement, which needs the topic's layout),
/// on the thread that consumed or delivered them; a batch without events
/// records is left as it is.
void read_events(record_batch& b);

/// As read_events, but a record whose writer handed its event along
/// (`known[i]`, one per record) takes that event unread: its value may be
/// empty (see out_record::known_event).
void read_events(record_batch& b, std::vector<std::optional<event>>& known);

/// What check_event_record gives for `b.records[i]`, from what read_events
/// read ahead where it did (then only the placement is checked here).
checked<event> event_at(const record_batch& b, size_t i, int32_t partitions);

/// The rules of check_account_value and check_event_record for what the
/// values hold, once decoded.
bool valid_account_id(int64_t id);
bool valid_event_time(int64_t happened_at_ns);

} // namespace logbase
