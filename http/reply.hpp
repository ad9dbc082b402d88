#pragma once

/// The HTTP edge of answers: a `response` onto the wire, every failure as
/// its status and a JSON body `{"error","message"}`.

#include <chrono>
#include <string>
#include <string_view>

#include <httplib.h>

#include "src/response.hpp"

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

/// What an answer is counted under in `/metrics`: its route template and
/// method (static text, so the label may outlive the request), and when
/// its request's first byte was there.
struct answer_label {
  std::string_view route;
  std::string_view method;
  std::chrono::steady_clock::time_point started;
};

/// The label of the request this thread serves.
answer_label label_of(const httplib::Request& req);

/// Counts an answer in `/metrics`: requests, 4xx, 5xx, and its latency by
/// route, method and status.
void count_answer(const answer_label& label, int status);

/// The reason phrase of a status code ("Not Found").
const char* reason_phrase(int status);

void reply_error(httplib::Response& res, const failure& f);

/// Fills in JSON for replies httplib made itself (404, 413, …).
void fill_empty_error(const httplib::Request& req, httplib::Response& res);

} // namespace logbase
