#pragma once

/// The HTTP edge of answers: a `response` onto the wire, every failure as
/// its status and a JSON body `{"error","message"}`.

#include <string>
#include <string_view>

#include <httplib.h>

#include "response.hpp"

namespace logbase {

void write_response(httplib::Response& res, response r);

/// The whole HTTP/1.1 message for `r` on a keep-alive connection, as
/// httplib would write it (status line, `Content-Length`, `Content-Type`,
/// the response's headers, `Keep-Alive`): the front's thread writes it to
/// the socket itself when the HTTP thread handed the answer over.
std::string serialize_response(const response& r, int keep_alive_seconds,
                               size_t requests_left);

/// `serialize_response` in two parts, to send without joining them.
std::string response_head(const response& r, int keep_alive_seconds,
                          size_t requests_left);
std::string_view response_body(const response& r);

/// Counts an answer in `/metrics` (requests, 4xx, 5xx).
void count_answer(int status);

/// The reason phrase of a status code ("Not Found").
const char* reason_phrase(int status);

void reply_error(httplib::Response& res, const failure& f);

/// Fills in JSON for replies httplib made itself (404, 413, …).
void fill_empty_error(const httplib::Request& req, httplib::Response& res);

} // namespace logbase
