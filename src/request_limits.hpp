#pragma once

/// What one request may hold, so that no client makes the server allocate
/// without bound (README, "Limits"). The body's own limits (size, events
/// per batch) are in json.hpp.

#include <cstddef>
#include <string_view>

namespace logbase {

/// The request line; longer gets 414. It is httplib's compiled-in limit
/// (Debian's build): the same number, so that both refuse the same lines.
constexpr size_t max_request_line_bytes = 8192;

/// One header line; longer gets 431 (httplib's compiled-in limit too).
constexpr size_t max_header_line_bytes = 8192;

/// Header lines of one request; more gets 431.
constexpr size_t max_header_count = 100;

/// The whole request head (request line and headers); more gets 431.
constexpr size_t max_head_bytes = 64 * 1024;

/// Query parameters of one request; more gets 400 bad_query.
constexpr size_t max_query_params = 32;

/// Nesting of arrays and objects in a JSON body; deeper gets 400
/// malformed_json (a body needs 2: a batch of event objects).
constexpr size_t max_json_depth = 32;

/// Watches the bytes of a request head as they are read and says when
/// they pass a limit above; knows nothing of sockets (tests feed it).
class head_guard {
public:
  enum class verdict {
    reading,
    done,
    too_many_headers,
    header_too_long,
    head_too_large
  };

  /// A new request starts.
  void reset();

  /// Takes the next bytes read. Once the head has ended (a line of just
  /// CRLF, as httplib ends it: a bare LF ends no line for it), later bytes
  /// (the body, the next request) are not looked at.
  verdict take(std::string_view bytes);

  verdict state() const {
    return state_;
  }

private:
  verdict state_ = verdict::reading;
  size_t bytes_ = 0;
  size_t lines_ = 0;
  size_t line_bytes_ = 0; // of the current line, CR and LF included
  bool after_cr_ = false;
};

/// How deep `json` nests arrays and objects (brackets inside strings do not
/// count); stops counting past `limit` + 1.
size_t json_depth(std::string_view json, size_t limit);

} // namespace logbase
