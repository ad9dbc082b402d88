#pragma once

/// What a request says besides its body: query parameters and headers,
/// read strictly (unknown parameters and malformed values are 400s).

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "src/expected.hpp"

namespace logbase {

failure bad_query(std::string message);

/// Rejects query parameters the route does not know.
std::optional<failure> only_params(const httplib::Request& req,
                                   std::initializer_list<std::string_view> known);

/// An integer parameter within [min, max], or `fallback` when absent.
expected<int64_t> int_param(const httplib::Request& req, const char* name,
                            int64_t fallback, int64_t min, int64_t max);

/// An ISO-8601 instant parameter, if present.
expected<std::optional<int64_t>> instant_param(const httplib::Request& req,
                                               const char* name);

/// A `YYYY-MM-DD` day parameter, if present.
expected<std::optional<int32_t>> day_param(const httplib::Request& req,
                                           const char* name);

/// `?type=`: an event type, or empty for every type.
expected<std::string> type_param(const httplib::Request& req);

/// `If-Match: "3"` (or 3, or *): the version a write requires, 0 for none.
expected<int64_t> if_match(const httplib::Request& req);

/// `Idempotency-Key`: the checked key, or "" when not sent; 400 when it is
/// sent more than once or breaks the key's rules.
expected<std::string> idempotency_key(const httplib::Request& req);

/// `Last-Event-ID`: the offset a stream resumes after, if sent.
expected<std::optional<int64_t>> last_event_id(const httplib::Request& req);

} // namespace logbase
