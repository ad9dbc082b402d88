#pragma once

/// The door every API request passes before its handler: bearer tokens and
/// roles (401, 403), the request rate per client (429), and the CORS
/// headers of answers to browsers, preflights included. The rules are
/// plain data in src/access.hpp; this applies them to httplib's requests.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>

#include "src/access.hpp"
#include "src/config.hpp"

namespace logbase {

class gate {
public:
  /// Reads the tokens file, if any; throws std::invalid_argument.
  explicit gate(const config& cfg);

  /// Reads the tokens file again (SIGHUP): revoked tokens are refused from
  /// now on. A file that cannot be read changes nothing; false then.
  bool reload();

  /// Whether requests need tokens.
  bool guarded() const {
    return !cfg_.auth_tokens_file.empty();
  }

  /// How many tokens the file lists.
  size_t tokens() const;

  /// Whether `req` may go on to its handler; if not, its answer (401, 403,
  /// 429) is in `res`. Adds the CORS headers for the answer either way.
  bool admit(const httplib::Request& req, httplib::Response& res);

  /// Answers `OPTIONS` on a route that takes `methods`: a browser's
  /// preflight (allowed origin: 204 and what it may send; else 403), or a
  /// plain question (204 and `Allow`). Needs no token.
  void preflight(const httplib::Request& req, httplib::Response& res,
                 std::string_view methods) const;

private:
  /// The bearer token of `req`: `Authorization: Bearer …`, or for event
  /// streams (EventSource cannot send headers) `?access_token=`.
  static std::string_view token_of(const httplib::Request& req);

  config cfg_;
  std::atomic<std::shared_ptr<const token_table>> tokens_;
  cors_policy cors_;
  rate_limiter rate_;
};

} // namespace logbase
