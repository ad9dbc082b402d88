#include "http/gate.hpp"

#include <strings.h>

#include <cmath>

#include "http/connection.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "http/reply.hpp"

namespace logbase {

namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size()
         && s.substr(s.size() - tail.size()) == tail;
}

} // namespace

gate::gate(const config& cfg)
  : cfg_(cfg), cors_(cors_policy::parse(cfg.cors_origins)),
    rate_(cfg.rate_limit) {
  if (guarded())
    tokens_.store(std::make_shared<const token_table>(
      token_table::load(cfg.auth_tokens_file)));
}

bool gate::reload() {
  if (!guarded())
    return true;
  try {
    auto fresh = std::make_shared<const token_table>(
      token_table::load(cfg_.auth_tokens_file));
    log(log_level::info, "http", "tokens file re-read: ", fresh->size(),
        " tokens");
    tokens_.store(std::move(fresh));
    return true;
  } catch (const std::exception& e) {
    log(log_level::error, "http", "tokens file not re-read, the old tokens "
        "stay: ", e.what());
    return false;
  }
}

size_t gate::tokens() const {
  auto t = tokens_.load();
  return t ? t->size() : 0;
}

std::string_view gate::token_of(const httplib::Request& req) {
  auto i = req.headers.find("Authorization");
  if (i != req.headers.end()) {
    std::string_view value = i->second;
    if (value.size() > 7 && ::strncasecmp(value.data(), "Bearer ", 7) == 0)
      return value.substr(7);
    return {};
  }
  if (ends_with(req.path, "/events/stream")) {
    auto p = req.params.find("access_token");
    if (p != req.params.end())
      return p->second;
  }
  return {};
}

bool gate::admit(const httplib::Request& req, httplib::Response& res) {
  if (cors_.enabled()) {
    std::vector<std::pair<std::string, std::string>> extra{{"Vary", "Origin"}};
    if (auto origin = cors_.allow_origin(req.get_header_value("Origin"))) {
      extra.emplace_back("Access-Control-Allow-Origin", *origin);
      extra.emplace_back("Access-Control-Expose-Headers",
                         std::string{cors_exposed_headers});
    }
    for (auto& [name, value] : extra)
      set_answer_header(res, name, value);
  }
  auto need = need_of(req.method, req.path);
  if (need == access_need::open)
    return true;
  auto& m = global_metrics();
  std::string client;
  if (guarded()) {
    auto token = token_of(req);
    auto table = tokens_.load();
    auto granted = token.empty() ? std::nullopt : table->find(token);
    if (!granted) {
      m.http_unauthorized.Increment();
      res.set_header("WWW-Authenticate",
                     token.empty() ? R"(Bearer realm="logbase")"
                                   : R"(Bearer realm="logbase", error="invalid_token")");
      reply_error(res, {error_code::unauthorized,
                   token.empty()
                     ? "this server needs a token: Authorization: Bearer "
                       "<token>"
                     : "the token is not valid (unknown or revoked)"});
      return false;
    }
    if (!role_allows(*granted, need)) {
      m.http_forbidden.Increment();
      reply_error(res, {error_code::forbidden,
                   "a " + std::string{to_string(*granted)} + " token may not "
                     + req.method + " " + req.path});
      return false;
    }
    if (rate_.enabled())
      client = "token " + sha256_hex(token);
  } else if (rate_.enabled()) {
    client = "address " + req.remote_addr;
  }
  if (!rate_.enabled())
    return true;
  auto wait = rate_.take(client, rate_limiter::clock::now());
  if (!wait)
    return true;
  m.http_rate_limited.Increment();
  auto seconds = std::max(1, static_cast<int>(std::ceil(wait->count() / 1000.0)));
  write_response(res, error_response(
                        {error_code::rate_limited,
                         "more than "
                           + std::to_string(static_cast<int>(cfg_.rate_limit))
                           + " requests per second from this client; slow "
                             "down"},
                        seconds));
  return false;
}

void gate::preflight(const httplib::Request& req, httplib::Response& res,
                     std::string_view methods) const {
  auto origin = req.get_header_value("Origin");
  if (origin.empty() || !req.has_header("Access-Control-Request-Method")) {
    res.status = 204;
    res.set_header("Allow", std::string{methods} + ", OPTIONS");
    return;
  }
  auto allowed = cors_.allow_origin(origin);
  if (!allowed) {
    global_metrics().http_forbidden.Increment();
    reply_error(res, {error_code::forbidden,
                 cors_.enabled()
                   ? "this origin may not call the API (see cors-origins)"
                   : "cross-origin calls are off on this server (see "
                     "cors-origins)"});
    res.set_header("Vary", "Origin");
    return;
  }
  res.status = 204;
  res.set_header("Access-Control-Allow-Origin", *allowed);
  res.set_header("Access-Control-Allow-Methods", std::string{methods});
  res.set_header("Access-Control-Allow-Headers",
                 std::string{cors_allowed_headers});
  res.set_header("Access-Control-Max-Age", "600");
  res.set_header("Vary", "Origin");
}

} // namespace logbase
