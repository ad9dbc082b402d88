#include "http/connection.hpp"

// The socket stream's part in the request limits (request_limits.hpp): the
// head guard sees every byte httplib reads until the head ends.

namespace logbase {

ssize_t socket_stream::watched(const char* ptr, ssize_t n) {
  if (n <= 0 || head_.state() == head_guard::verdict::done)
    return n;
  auto v = head_.take(std::string_view{ptr, static_cast<size_t>(n)});
  return v == head_guard::verdict::reading || v == head_guard::verdict::done
           ? n
           : -1;
}

std::optional<failure> socket_stream::head_refusal() const {
  switch (head_.state()) {
    case head_guard::verdict::too_many_headers:
      return failure{error_code::headers_too_large,
                     "a request has at most "
                       + std::to_string(max_header_count) + " header lines"};
    case head_guard::verdict::header_too_long:
      return failure{error_code::headers_too_large,
                     "a header line has at most "
                       + std::to_string(max_header_line_bytes) + " bytes"};
    case head_guard::verdict::head_too_large:
      return failure{error_code::headers_too_large,
                     "a request's line and headers have at most "
                       + std::to_string(max_head_bytes) + " bytes"};
    default:
      return std::nullopt;
  }
}

void socket_stream::discard_input(std::chrono::milliseconds within,
                                  size_t most) {
  read_deadline_ = std::chrono::steady_clock::now() + within;
  begin_ = end_ = 0;
  for (size_t dropped = 0; dropped < most;) {
    auto n = receive(buffer_.data(), buffer_.size());
    if (n <= 0)
      return;
    dropped += static_cast<size_t>(n);
  }
}

} // namespace logbase
