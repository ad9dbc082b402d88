#pragma once

/// `X-Request-Id`: every answer carries one, the client's own when it sent
/// a safe one (at most 128 characters of letters, digits and `-_.:`), else
/// a new one, so that a client and an operator can name one request.

#include <string>
#include <string_view>

namespace logbase {

constexpr size_t max_request_id_length = 128;

/// Whether a client's id may be used (and logged) as it is.
bool safe_request_id(std::string_view id);

/// A new id, unique in this process and unlikely to repeat across them.
std::string new_request_id();

} // namespace logbase
