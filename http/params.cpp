#include "http/params.hpp"

#include <charconv>

#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "src/time.hpp"

namespace logbase {

failure bad_query(std::string message) {
  return {error_code::bad_query, std::move(message)};
}

std::optional<failure> only_params(const httplib::Request& req,
                                   std::initializer_list<std::string_view> known) {
  for (auto& [name, value] : req.params) {
    bool ok = false;
    for (auto k : known)
      ok = ok || name == k;
    if (!ok)
      return bad_query("unknown query parameter '" + name + "'");
  }
  return std::nullopt;
}

expected<int64_t> int_param(const httplib::Request& req, const char* name,
                            int64_t fallback, int64_t min, int64_t max) {
  if (!req.has_param(name))
    return fallback;
  auto text = req.get_param_value(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < min
      || v > max)
    return bad_query("query parameter '" + std::string{name}
                     + "' must be an integer from " + std::to_string(min)
                     + " to " + std::to_string(max));
  return v;
}

expected<std::optional<int64_t>> instant_param(const httplib::Request& req,
                                               const char* name) {
  if (!req.has_param(name))
    return std::optional<int64_t>{};
  auto t = parse_instant(req.get_param_value(name));
  if (!t)
    return bad_query("query parameter '" + std::string{name}
                     + "' must be an ISO-8601 instant like "
                       "2024-05-01T10:00:00Z");
  return std::optional<int64_t>{*t};
}

expected<std::optional<int32_t>> day_param(const httplib::Request& req,
                                           const char* name) {
  if (!req.has_param(name))
    return std::optional<int32_t>{};
  auto d = parse_day(req.get_param_value(name));
  if (!d)
    return bad_query("query parameter '" + std::string{name}
                     + "' must be a day like 2024-05-01");
  return std::optional<int32_t>{*d};
}

expected<std::string> type_param(const httplib::Request& req) {
  if (!req.has_param("type"))
    return std::string{};
  auto type = req.get_param_value("type");
  if (auto f = check_event_type(type))
    return bad_query("query parameter 'type': " + f->message);
  return type;
}

expected<int64_t> if_match(const httplib::Request& req) {
  if (!req.has_header("If-Match"))
    return int64_t{0};
  auto text = req.get_header_value("If-Match");
  if (text == "*")
    return int64_t{0};
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    text = text.substr(1, text.size() - 2);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 1)
    return failure{error_code::invalid_precondition,
                   "If-Match must be a version like \"3\""};
  return v;
}

expected<std::string> idempotency_key(const httplib::Request& req) {
  const std::string name{idempotency_http_header};
  auto n = req.get_header_value_count(name);
  if (n == 0)
    return std::string{};
  if (n > 1)
    return failure{error_code::invalid_idempotency_key,
                   name + " must be sent once"};
  auto key = req.get_header_value(name);
  if (auto f = check_idempotency_key(key))
    return *f;
  return key;
}

expected<std::optional<int64_t>> last_event_id(const httplib::Request& req) {
  if (!req.has_header("Last-Event-ID"))
    return std::optional<int64_t>{};
  auto text = req.get_header_value("Last-Event-ID");
  int64_t offset = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   offset);
  if (ec != std::errc{} || end != text.data() + text.size() || offset < 0)
    return bad_query("Last-Event-ID must be an event id this stream sent");
  return std::optional<int64_t>{offset};
}

} // namespace logbase
