#pragma once

/// An HTTP answer as plain data: what the front actor hands back to the
/// HTTP worker, which only copies it onto the wire.

#include <string>
#include <utility>
#include <vector>

#include "src/errors.hpp"
#include "src/model.hpp"

namespace logbase {

/// Seconds a client should wait before retrying a 503.
constexpr int retry_after_seconds = 2;

struct response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// `{"error","message"}` with the code's status; 503s say when to retry.
response error_response(const failure& f,
                        int retry_after = retry_after_seconds);

response json_response(int status, std::string body);

/// An account with its `ETag`; `Location` too when `created`.
response account_response(int status, const account& a, bool created);

} // namespace logbase
