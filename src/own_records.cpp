#include "src/own_records.hpp"

#include <charconv>

#include <simdjson.h>

#include "src/time.hpp"

namespace logbase {

namespace {

/// Whether `n` is written as JSON writes a number, with only the characters
/// logbase's own numbers use (no exponent, no leading zeros).
bool plain_number(std::string_view n) {
  if (!n.empty() && n.front() == '-')
    n.remove_prefix(1);
  if (n.empty() || n.front() == '.' || (n.size() > 1 && n[0] == '0' && n[1] != '.'))
    return false;
  for (char c : n)
    if (c != '.' && (c < '0' || c > '9'))
      return false;
  return n.back() != '.';
}

/// Takes `prefix` off the front of `s`; false when `s` does not start so.
bool take(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix)
    return false;
  s.remove_prefix(prefix.size());
  return true;
}

} // namespace

std::optional<event> read_own_event_record(std::string_view value) {
  auto s = value;
  if (!take(s, R"({"happenedAt":)"))
    return std::nullopt;
  auto comma = s.find(',');
  if (comma == std::string_view::npos)
    return std::nullopt;
  auto seconds = s.substr(0, comma);
  if (!plain_number(seconds))
    return std::nullopt;
  auto ns = parse_epoch_seconds(seconds);
  s.remove_prefix(comma);
  event e;
  if (!ns || !take(s, R"(,"accountId":)"))
    return std::nullopt;
  e.happened_at_ns = *ns;
  auto [end, err] = std::from_chars(s.data(), s.data() + s.size(),
                                    e.account_id);
  // from_chars stops at a '.', which the next field's name then refuses.
  if (err != std::errc{} || end == s.data()
      || !plain_number(s.substr(0, static_cast<size_t>(end - s.data()))))
    return std::nullopt;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  if (!take(s, R"(,"type":")"))
    return std::nullopt;
  auto quote = s.find('"');
  if (quote == std::string_view::npos || s.substr(quote) != R"("})")
    return std::nullopt;
  auto type = s.substr(0, quote);
  for (char c : type)
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20)
      return std::nullopt;
  if (!simdjson::validate_utf8(type.data(), type.size()))
    return std::nullopt;
  e.type = std::string(type);
  return e;
}

} // namespace logbase
