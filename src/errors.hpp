#pragma once

/// Every way a request can fail, with its HTTP status. The HTTP edge turns a
/// `failure` into `{"error": "<code>", "message": "<sentence>"}`.

#include <cstdint>
#include <string>
#include <string_view>

namespace logbase {

// X(code, http_status)
#define LOGBASE_ERRORS(X)                                                      \
  X(bad_query, 400)                                                            \
  X(bad_request, 400)                                                          \
  X(malformed_json, 400)                                                       \
  X(invalid_body, 400)                                                         \
  X(invalid_id, 400)                                                           \
  X(invalid_precondition, 400)                                                 \
  X(invalid_idempotency_key, 400)                                              \
  X(unauthorized, 401)                                                         \
  X(forbidden, 403)                                                            \
  X(account_not_found, 404)                                                    \
  X(route_not_found, 404)                                                      \
  X(method_not_allowed, 405)                                                   \
  X(request_timeout, 408)                                                      \
  X(version_conflict, 412)                                                     \
  X(payload_too_large, 413)                                                    \
  X(uri_too_long, 414)                                                         \
  X(invalid_name, 422)                                                         \
  X(invalid_event_type, 422)                                                   \
  X(happened_at_out_of_range, 422)                                             \
  X(idempotency_key_reused, 422)                                               \
  X(rate_limited, 429)                                                         \
  X(headers_too_large, 431)                                                    \
  X(internal_error, 500)                                                       \
  X(broker_unavailable, 503)                                                   \
  X(not_ready, 503)                                                            \
  X(timeout, 503)                                                              \
  X(overloaded, 503)                                                           \
  X(too_many_streams, 503)                                                     \
  X(peer_unavailable, 503)                                                     \
  X(partition_moving, 503)                                                     \
  X(id_space_exhausted, 503)

/// Codes of every failure logbase reports.
enum class error_code : uint8_t {
#define LOGBASE_ERROR_ENUM(name, status) name,
  LOGBASE_ERRORS(LOGBASE_ERROR_ENUM)
#undef LOGBASE_ERROR_ENUM
};

/// The snake_case name clients see in the `error` field.
std::string_view to_string(error_code code);

/// The HTTP status that answers this code.
int http_status(error_code code);

/// Looks a code up by its name; `internal_error` for unknown names.
error_code error_code_from_string(std::string_view name);

/// A failure as a value: what went wrong and a sentence for humans.
struct failure {
  error_code code = error_code::internal_error;
  std::string message;
};

} // namespace logbase
