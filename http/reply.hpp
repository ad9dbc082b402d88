#pragma once

/// The HTTP edge of answers: a `response` onto the wire, every failure as
/// its status and a JSON body `{"error","message"}`.

#include <httplib.h>

#include "response.hpp"

namespace logbase {

void write_response(httplib::Response& res, response r);

void reply_error(httplib::Response& res, const failure& f);

/// Fills in JSON for replies httplib made itself (404, 413, …).
void fill_empty_error(const httplib::Request& req, httplib::Response& res);

} // namespace logbase
