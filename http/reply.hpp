#pragma once

/// The HTTP edge of errors: every failure becomes its status and a JSON body
/// `{"error","message"}`; 503s say when to come back.

#include <string>

#include <httplib.h>

#include "errors.hpp"

namespace logbase {

/// Seconds a client should wait before retrying a 503.
constexpr int retry_after_seconds = 2;

void reply_json(httplib::Response& res, int status, std::string body);

void reply_error(httplib::Response& res, const failure& f);

/// Fills in JSON for replies httplib made itself (404, 413, …).
void fill_empty_error(const httplib::Request& req, httplib::Response& res);

} // namespace logbase
