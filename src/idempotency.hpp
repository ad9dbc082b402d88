#pragma once

/// Safe retries of event POSTs (`Idempotency-Key`): the key's rules, the
/// hash that tells one body from another, and the Kafka record header that
/// carries both with every event record of a keyed POST.
///
/// Header `idempotency` (one per event record), a line of text:
///   `1 <body hash, 16 hex digits> <part> <parts> <written ms> <key>`
/// `1` is the format; part counts from 0 within the POST's `parts` events;
/// `written ms` is the write time (the record's timestamp is happenedAt,
/// which may lie 30 days back, so the window cannot count from it). The key
/// comes last: it holds no spaces, so the line splits unambiguously.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/errors.hpp"
#include "src/json.hpp"

namespace logbase {

/// The HTTP request header and the Kafka record header.
constexpr std::string_view idempotency_http_header = "Idempotency-Key";
constexpr std::string_view idempotency_record_header = "idempotency";

/// Longest key accepted.
constexpr size_t max_idempotency_key = 128;

/// 1–128 visible ASCII characters (0x21–0x7E: no spaces, no control or
/// non-ASCII bytes, so a key prints and splits the same everywhere); 400
/// `invalid_idempotency_key` naming the header otherwise.
std::optional<failure> check_idempotency_key(std::string_view key);

/// A stable 64-bit hash (FNV-1a) of a POST's logical body: array or object,
/// and each event's type and happenedAt as an instant, or its absence. The
/// same events retried hash alike whatever the spacing, field order or time
/// zone of the JSON; an absent happenedAt differs from any given one.
uint64_t body_hash(const std::vector<event_input>& inputs, bool batch);

/// What the `idempotency` record header says of its record.
struct idempotency_mark {
  std::string key;
  uint64_t body_hash = 0;
  uint32_t part = 0;
  uint32_t parts = 1;
  int64_t written_ms = 0;
};

std::string encode_mark(const idempotency_mark& m);

/// Nothing unless the value is a well-formed mark with a valid key.
std::optional<idempotency_mark> decode_mark(std::string_view value);

} // namespace logbase
