#include "reply.hpp"

#include "json.hpp"

namespace logbase {

void write_response(httplib::Response& res, response r) {
  res.status = r.status;
  for (auto& [name, value] : r.headers)
    res.set_header(name.c_str(), value);
  if (!r.content_type.empty()) {
    res.body = std::move(r.body); // set_content would copy it
    res.set_header("Content-Type", r.content_type);
  }
}

void reply_error(httplib::Response& res, const failure& f) {
  write_response(res, error_response(f));
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
