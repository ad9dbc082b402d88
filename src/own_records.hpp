#pragma once

/// Event records in the exact shape logbase writes them, read without a
/// JSON parser: a restore reads millions, and parsing them was a fifth of
/// its CPU. Anything else (other writers, escapes, spaces) is left to the
/// parser.

#include <optional>
#include <string_view>

#include "src/model.hpp"

namespace logbase {

/// The event of `{"happenedAt":S.N,"accountId":I,"type":"T"}` (T without
/// escapes or control characters, valid UTF-8); nothing when `value` has
/// any other shape.
std::optional<event> read_own_event_record(std::string_view value);

} // namespace logbase
