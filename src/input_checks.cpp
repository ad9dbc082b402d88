#include "src/json.hpp"

// The rules for names and event types, whichever way they arrive (a
// request body, a record on a topic).

#include <simdjson.h>

namespace logbase {

namespace {

failure bad(error_code code, std::string message) {
  return failure{code, std::move(message)};
}

} // namespace

std::optional<failure> check_name(std::string_view name) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<uint8_t>(name[i]);
    if ((c & 0xc0) != 0x80)
      ++chars;
    if (c < 0x20 || c == 0x7f)
      return bad(error_code::invalid_name,
                 "name must not contain control characters");
    // U+0080..U+009F (C1 controls) are C2 80..C2 9F in UTF-8.
    if (c == 0xc2 && i + 1 < name.size()
        && static_cast<uint8_t>(name[i + 1]) <= 0x9f)
      return bad(error_code::invalid_name,
                 "name must not contain control characters");
  }
  if (!simdjson::validate_utf8(name.data(), name.size()))
    return bad(error_code::invalid_name, "name must be valid UTF-8");
  if (chars == 0)
    return bad(error_code::invalid_name, "name must not be empty");
  if (chars > 256)
    return bad(error_code::invalid_name,
               "name must be at most 256 characters long");
  return std::nullopt;
}

std::optional<failure> check_event_type(std::string_view type) {
  if (type.empty() || type.size() > 64)
    return bad(error_code::invalid_event_type,
               "type must be 1 to 64 characters long");
  for (char c : type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':'
              || c == '-';
    if (!ok)
      return bad(error_code::invalid_event_type,
                 "type may hold only letters, digits and _ . : -");
  }
  return std::nullopt;
}

} // namespace logbase
