#include "src/response.hpp"

#include "src/json.hpp"

namespace logbase {

response error_response(const failure& f, int retry_after) {
  auto r = json_response(http_status(f.code), error_json(f));
  if (r.status == 503 || r.status == 429)
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

response json_response(int status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

response account_response(int status, const account& a, bool created) {
  auto r = json_response(status, account_json(a));
  r.headers.emplace_back("ETag", "\"" + std::to_string(a.version) + "\"");
  if (created)
    r.headers.emplace_back("Location", "/accounts/" + std::to_string(a.id));
  return r;
}

} // namespace logbase
