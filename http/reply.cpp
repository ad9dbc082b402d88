#include "http/reply.hpp"

#include "http/connection.hpp"
#include "src/request_limits.hpp"
#include "src/json.hpp"
#include "src/metrics.hpp"
#include "src/route_template.hpp"

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

namespace {

bool has_body(int status) {
  // 204 and 304 carry no body, and no Content-Length either (RFC 9110).
  return status != 204 && status != 304;
}

} // namespace

std::string response_head(const response& r, int keep_alive_seconds,
                          size_t requests_left) {
  std::string out;
  out.reserve(160);
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason_phrase(r.status);
  out += "\r\n";
  if (has_body(r.status)) {
    out += "Content-Length: ";
    out += std::to_string(r.body.size());
    out += "\r\n";
    if (!r.content_type.empty()) {
      out += "Content-Type: ";
      out += r.content_type;
      out += "\r\n";
    }
  }
  for (auto& [name, value] : r.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Keep-Alive: timeout=";
  out += std::to_string(keep_alive_seconds);
  out += ", max=";
  out += std::to_string(requests_left);
  out += "\r\n\r\n";
  return out;
}

std::string_view response_body(const response& r) {
  return has_body(r.status) ? std::string_view{r.body} : std::string_view{};
}

std::string serialize_response(const response& r, int keep_alive_seconds,
                               size_t requests_left) {
  auto out = response_head(r, keep_alive_seconds, requests_left);
  out += response_body(r);
  return out;
}

answer_label label_of(const httplib::Request& req) {
  auto conn = current_connection();
  return {route_template(req.path), method_label(req.method),
          conn != nullptr ? conn->request_started()
                          : std::chrono::steady_clock::now()};
}

void count_answer(const answer_label& label, int status) {
  std::chrono::duration<double> took = std::chrono::steady_clock::now()
                                       - label.started;
  global_metrics().count_answer(label.route, label.method, status,
                                took.count());
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 300 ? "OK" : status < 500 ? "Bad Request"
                                                       : "Internal Server Error";
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
      // httplib's own limit for form-encoded bodies, compiled into Debian's
      // build; JSON bodies reach logbase up to its limit.
      if (req.get_header_value("Content-Type").rfind(
            "application/x-www-form-urlencoded", 0) == 0) {
        reply_error(res, {error_code::payload_too_large,
                          "a form-encoded body has at most 8192 bytes; "
                          "send JSON with Content-Type: application/json"});
        break;
      }
      reply_error(res, {error_code::payload_too_large,
                        "the request body is larger than "
                          + std::to_string(max_body_bytes) + " bytes"});
      break;
    case 400: // httplib could not read the request line or a header
      reply_error(res, {error_code::bad_request,
                        "the request is not well-formed HTTP/1.1"});
      break;
    case 414:
      reply_error(res, {error_code::uri_too_long,
                        "the request line has at most "
                          + std::to_string(max_request_line_bytes)
                          + " bytes"});
      break;
    default:
      if (res.status >= 500)
        reply_error(res, {error_code::internal_error, "internal error"});
  }
}

} // namespace logbase
