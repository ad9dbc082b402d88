#include "reply.hpp"

#include "json.hpp"
#include "metrics.hpp"

namespace logbase {

void reply_json(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "application/json");
}

void reply_error(httplib::Response& res, const failure& f) {
  auto status = http_status(f.code);
  if (status == 503)
    res.set_header("Retry-After", std::to_string(retry_after_seconds));
  reply_json(res, status, error_json(f));
}

void fill_empty_error(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty())
    return;
  switch (res.status) {
    case 404:
      reply_error(res, {error_code::route_not_found,
                        "no such resource: " + req.method + " " + req.path});
      break;
    case 413:
      reply_error(res, {error_code::payload_too_large,
                        "the request body is larger than "
                          + std::to_string(max_body_bytes) + " bytes"});
      break;
    case 400:
      reply_error(res, {error_code::malformed_json, "the request is malformed"});
      break;
    default:
      if (res.status >= 500)
        reply_error(res, {error_code::internal_error, "internal error"});
  }
}

} // namespace logbase
