#pragma once

/// Instants and UTC days: ISO-8601 in and out, the day window of an instant.
/// Time is nanoseconds since the epoch (int64 reaches the year 2262).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logbase {

constexpr int64_t ns_per_second = 1'000'000'000;
constexpr int64_t ns_per_day = 86'400 * ns_per_second;

/// Parses `2024-05-01T10:00:00Z`, with an optional fraction (up to 9 digits)
/// and `Z` or a `+hh:mm`/`-hh:mm` offset. Lower-case `t`/`z` are accepted.
std::optional<int64_t> parse_instant(std::string_view text);

/// Formats as Java's `Instant.toString` does: `2024-05-01T10:00:00Z`, the
/// fraction in groups of three digits when not zero.
std::string format_instant(int64_t ns);

/// `format_instant`, appended to `out`.
void append_instant(std::string& out, int64_t ns);

/// Longest text of `format_instant` (a year of more than four digits
/// aside).
constexpr size_t max_instant_chars = 30;

/// `format_instant` written at `buf` (room for `max_instant_chars`);
/// returns the end.
char* write_instant(char* buf, int64_t ns);

/// Parses `YYYY-MM-DD` into days since 1970-01-01.
std::optional<int32_t> parse_day(std::string_view text);

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
std::string format_day(int32_t day);

/// The UTC day (tumbling one-day window aligned to midnight) of an instant.
constexpr int32_t day_of(int64_t ns) {
  int64_t d = ns / ns_per_day;
  if (ns % ns_per_day < 0)
    --d;
  return static_cast<int32_t>(d);
}

/// Epoch seconds with a fraction, as the original app wrote `happenedAt`:
/// `1714557600.123456789`.
std::string format_epoch_seconds(int64_t ns);

/// Longest text of `format_epoch_seconds`: a sign, ten digits of seconds
/// (an int64 of nanoseconds), a point and nine digits.
constexpr size_t max_epoch_seconds_chars = 21;

/// `format_epoch_seconds` written at `buf` (room for
/// `max_epoch_seconds_chars`); returns the end.
char* write_epoch_seconds(char* buf, int64_t ns);

/// Parses a JSON number of epoch seconds (`1714557600`, `1714557600.5`,
/// `1.7145576E9`) exactly to nanoseconds.
std::optional<int64_t> parse_epoch_seconds(std::string_view number);

/// Nanoseconds since the epoch now.
int64_t now_ns();

} // namespace logbase
