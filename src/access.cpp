#include "src/access.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace logbase {

std::string_view to_string(role r) {
  switch (r) {
    case role::read:
      return "read";
    case role::write:
      return "write";
    case role::admin:
      return "admin";
    case role::metrics:
      return "metrics";
  }
  return "read";
}

std::optional<role> role_from_string(std::string_view name) {
  for (auto r : {role::read, role::write, role::admin, role::metrics})
    if (name == to_string(r))
      return r;
  return std::nullopt;
}

bool role_allows(role r, access_need need) {
  switch (need) {
    case access_need::open:
      return true;
    case access_need::read:
      return r == role::read || r == role::write || r == role::admin;
    case access_need::write:
      return r == role::write || r == role::admin;
    case access_need::metrics:
      return r == role::metrics || r == role::admin;
  }
  return false;
}

access_need need_of(std::string_view method, std::string_view path) {
  if (path == "/health" || path == "/ready" || path == "/openapi.json"
      || path == "/" || path.rfind("/ui/", 0) == 0)
    return access_need::open;
  if (path == "/metrics")
    return access_need::metrics;
  if (method == "GET" || method == "HEAD")
    return access_need::read;
  return access_need::write;
}

namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_sha256(),
             nullptr);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

std::string sha256_hex(std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : sha256(text)) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::string new_token() {
  static constexpr char alphabet[]
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[43];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  // 43 characters of 64: 258 bits, a prefix saying what it is.
  std::string out = "lb_";
  for (auto b : bytes)
    out += alphabet[b & 63];
  return out;
}

token_table token_table::parse(std::string_view text,
                               const std::string& source) {
  token_table table;
  std::istringstream in{std::string{text}};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words{line};
    std::string hash, role_name;
    if (!(words >> hash) || hash[0] == '#')
      continue;
    auto where = source + ":" + std::to_string(number) + ": ";
    if (hash.size() != 64
        || !std::all_of(hash.begin(), hash.end(),
                        [](char c) { return hex_value(c) >= 0; }))
      throw std::invalid_argument(where + "expected the SHA-256 of a token "
                                  "(64 hex digits), then its role");
    if (!(words >> role_name))
      throw std::invalid_argument(where + "the role is missing (read, "
                                  "write, admin or metrics)");
    auto granted = role_from_string(role_name);
    if (!granted)
      throw std::invalid_argument(where + "unknown role '" + role_name
                                  + "' (read, write, admin or metrics)");
    entry e{{}, *granted};
    for (size_t i = 0; i < 32; ++i)
      e.hash[i] = static_cast<unsigned char>(hex_value(hash[2 * i]) * 16
                                             + hex_value(hash[2 * i + 1]));
    table.entries_.push_back(e);
  }
  return table;
}

token_table token_table::load(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw std::invalid_argument("cannot read the tokens file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::optional<role> token_table::find(std::string_view token) const {
  auto hash = sha256(token);
  std::optional<role> found;
  // Every entry is compared, each in constant time.
  for (auto& e : entries_)
    if (CRYPTO_memcmp(e.hash.data(), hash.data(), hash.size()) == 0)
      found = e.granted;
  return found;
}

cors_policy cors_policy::parse(std::string_view list) {
  cors_policy policy;
  std::string item;
  std::istringstream in{std::string{list}};
  while (std::getline(in, item, ',')) {
    auto first = item.find_first_not_of(' ');
    auto last = item.find_last_not_of(' ');
    if (first == std::string::npos)
      continue;
    item = item.substr(first, last - first + 1);
    if (item == "*") {
      policy.any_ = true;
      continue;
    }
    auto scheme_end = item.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0
        || item.size() == scheme_end + 3
        || item.find('/', scheme_end + 3) != std::string::npos)
      throw std::invalid_argument("config 'cors-origins': '" + item
                                  + "' is not an origin (scheme://host"
                                    "[:port], no path), nor *");
    policy.origins_.push_back(item);
  }
  return policy;
}

std::optional<std::string> cors_policy::allow_origin(
  std::string_view origin) const {
  if (origin.empty())
    return std::nullopt;
  if (std::find(origins_.begin(), origins_.end(), origin) != origins_.end())
    return std::string{origin};
  if (any_)
    return std::string{"*"};
  return std::nullopt;
}

rate_limiter::rate_limiter(double per_second)
  : per_second_(per_second), burst_(std::max(1.0, per_second)) {
  // nop
}

std::optional<std::chrono::milliseconds>
rate_limiter::take(const std::string& client, clock::time_point now) {
  if (!enabled())
    return std::nullopt;
  std::lock_guard guard{mutex_};
  if (buckets_.size() >= next_sweep_)
    forget_full(now);
  auto i = buckets_.try_emplace(client, bucket{burst_, now}).first;
  auto& b = i->second;
  std::chrono::duration<double> passed = now - b.last;
  b.tokens = std::min(burst_, b.tokens + passed.count() * per_second_);
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  auto wait = (1.0 - b.tokens) / per_second_;
  return std::chrono::milliseconds{
    static_cast<int64_t>(std::ceil(wait * 1000.0))};
}

size_t rate_limiter::tracked() const {
  std::lock_guard guard{mutex_};
  return buckets_.size();
}

void rate_limiter::forget_full(clock::time_point now) {
  // A client whose bucket would be full again is as good as new.
  std::erase_if(buckets_, [&](auto& kv) {
    std::chrono::duration<double> passed = now - kv.second.last;
    return kv.second.tokens + passed.count() * per_second_ >= burst_;
  });
  next_sweep_ = std::max<size_t>(1024, buckets_.size() * 2);
}

bool is_loopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]"
         || host.rfind("127.", 0) == 0;
}

} // namespace logbase
