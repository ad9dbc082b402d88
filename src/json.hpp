#pragma once

/// JSON in (simdjson) and out (plain appends): request bodies, responses and
/// the record values on the topics, wire-compatible with the original app.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/expected.hpp"
#include "src/model.hpp"

namespace logbase {

/// Largest request body accepted (SPEC: 413 above it).
constexpr size_t max_body_bytes = 1024 * 1024;

/// Most events one POST may carry.
constexpr size_t max_event_batch = 10'000;

// -- request bodies ---------------------------------------------------------

/// `{"name": "…"}` → the validated name.
expected<std::string> parse_account_body(std::string_view body);

/// 1–256 characters of UTF-8, no control characters; 422 otherwise.
std::optional<failure> check_name(std::string_view name);

/// One event as a client posted it.
struct event_input {
  std::string type;
  std::optional<int64_t> happened_at_ns;
};

/// `{"type":…, "happenedAt"?:…}` or an array of those.
expected<std::vector<event_input>> parse_events_body(std::string_view body);

/// 1–64 of letters, digits and `_ . : -`; 422 otherwise.
std::optional<failure> check_event_type(std::string_view type);

// -- responses --------------------------------------------------------------

/// Appends `s` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

std::string account_json(const account& a);
std::string accounts_json(const std::vector<account>& as);
std::string event_json(const event& e);
std::string events_json(const std::vector<event>& es);
std::string daily_counts_json(const std::vector<daily_count>& counts);
std::string error_json(const failure& f);

// -- topic values -----------------------------------------------------------

/// `{"id":1,"name":"x","version":2,"eventsSince":0}` for `accounts`.
std::string account_record_value(const account& a);

/// An `accounts` value; the original's `{"id","name"}` reads as version 1.
/// Nothing when it is not an account or its id disagrees with the key.
std::optional<account> decode_account_record(int64_t key_id,
                                             std::string_view value);

/// An `accounts` value, whatever key it came under.
std::optional<account> decode_account_value(std::string_view value);

/// `{"happenedAt":1714557600.123456789,"accountId":1,"type":"login"}`.
std::string event_record_value(const event& e);

/// An `events` value; `happenedAt` as epoch seconds or an ISO-8601 string.
std::optional<event> decode_event_record(std::string_view value);

/// A members record: `{"node","address","partitions":[…],"epoch"}`.
std::string member_record_value(std::string_view node,
                                std::string_view address,
                                const std::vector<int32_t>& partitions,
                                int64_t epoch);

/// A changelog count:
/// `{"accountId","day":"2024-05-01","type","count","eventsSince"}`.
std::string stats_count_value(int64_t account_id, int32_t day,
                              std::string_view type, int64_t count,
                              int64_t events_since);

/// A changelog checkpoint: `{"eventsOffset":N}`.
std::string stats_checkpoint_value(int64_t events_offset);

/// An id-block claim: `{"block","first","last","node"}`.
std::string id_block_value(int64_t block, int64_t first, int64_t last,
                           std::string_view node);

// -- other answers ----------------------------------------------------------

/// GET /ready: `{"ready","restored","total","restoring":[partitions]}`.
std::string ready_json(bool ready, int32_t restored, int32_t total,
                       const std::vector<int32_t>& restoring);

/// The data of an SSE `end` event: `{"reason":"…"}`.
std::string stream_end_json(std::string_view reason);

} // namespace logbase
