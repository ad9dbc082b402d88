#pragma once

/// Who may do what, as plain data: bearer tokens and their roles (the
/// tokens file holds only SHA-256 hashes), what each route needs, the
/// browsers' origins that may call the API (CORS), and a request rate per
/// client. The HTTP edge (http/gate) applies them.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace logbase {

/// A token's role: `read` (GET), `write` (read and every change), `admin`
/// (everything, `/metrics` included), `metrics` (only `/metrics`).
enum class role : uint8_t { read, write, admin, metrics };

/// What a route asks of the caller.
enum class access_need : uint8_t { open, read, write, metrics };

std::string_view to_string(role r);

/// `read`, `write`, `admin`, `metrics`; nothing for other words.
std::optional<role> role_from_string(std::string_view name);

bool role_allows(role r, access_need need);

/// What `method path` needs: `/health`, `/ready`, `/openapi.json` and the
/// dashboard's files are open; `/metrics` needs `metrics` (or `admin`); any
/// other GET or HEAD `read`; everything else `write`.
access_need need_of(std::string_view method, std::string_view path);

/// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

/// A new random token (256 bits, URL-safe).
std::string new_token();

/// The tokens file: lines `<sha256 hex of a token> <role> [comment]`; blank
/// lines and lines starting with `#` are skipped.
class token_table {
public:
  /// Reads a file's text; throws std::invalid_argument naming the line
  /// (never its hash) on anything else.
  static token_table parse(std::string_view text, const std::string& source);

  /// Reads the file at `path`; throws std::invalid_argument as `parse`.
  static token_table load(const std::string& path);

  /// The role of `token`, if it is listed. Compares the token's hash with
  /// every entry in constant time: how long it takes says nothing of how
  /// close a guess was.
  std::optional<role> find(std::string_view token) const;

  size_t size() const {
    return entries_.size();
  }

private:
  struct entry {
    std::array<unsigned char, 32> hash;
    role granted;
  };
  std::vector<entry> entries_;
};

/// `--cors-origins`: the browser origins that may call the API, or `*`.
class cors_policy {
public:
  cors_policy() = default;

  /// `https://a.example,https://b.example` or `*`; throws
  /// std::invalid_argument on an origin that is not scheme://host[:port].
  static cors_policy parse(std::string_view list);

  bool enabled() const {
    return any_ || !origins_.empty();
  }

  /// The `Access-Control-Allow-Origin` value for a request from `origin`:
  /// the origin itself when listed, `*` when any is allowed, nothing
  /// otherwise (an unlisted origin is never echoed).
  std::optional<std::string> allow_origin(std::string_view origin) const;

private:
  bool any_ = false;
  std::vector<std::string> origins_;
};

/// Headers a browser may send on a cross-origin call, and those its page
/// may read in the answer.
constexpr std::string_view cors_allowed_headers
  = "Authorization, Content-Type, If-Match, Idempotency-Key, Last-Event-ID";
constexpr std::string_view cors_exposed_headers
  = "ETag, Location, Retry-After, X-Request-Id";

/// Requests per second per client (a token, or an address when the server
/// runs open), with a burst of as many; a token bucket each. Thread-safe.
class rate_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `per_second` 0: no limit.
  explicit rate_limiter(double per_second);

  bool enabled() const {
    return per_second_ > 0;
  }

  /// Takes one request for `client`; when refused, how long until one
  /// would be let in.
  std::optional<std::chrono::milliseconds> take(const std::string& client,
                                                clock::time_point now);

  /// Clients tracked (idle full buckets are forgotten as the table grows).
  size_t tracked() const;

private:
  struct bucket {
    double tokens;
    clock::time_point last;
  };

  void forget_full(clock::time_point now);

  double per_second_;
  double burst_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  size_t next_sweep_ = 1024;
};

/// Whether `host` names this machine's loopback (127.0.0.0/8, ::1,
/// localhost): only there may the server run without tokens unasked.
bool is_loopback(std::string_view host);

} // namespace logbase
