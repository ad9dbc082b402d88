#include "src/request_limits.hpp"

namespace logbase {

void head_guard::reset() {
  *this = head_guard{};
}

head_guard::verdict head_guard::take(std::string_view bytes) {
  for (char c : bytes) {
    if (state_ != verdict::reading)
      return state_;
    if (++bytes_ > max_head_bytes)
      return state_ = verdict::head_too_large;
    ++line_bytes_;
    // Lines after the request line are headers; httplib's limit on one
    // counts its CRLF.
    bool header = lines_ > 0;
    if (header && line_bytes_ > max_header_line_bytes)
      return state_ = verdict::header_too_long;
    if (c != '\n') {
      after_cr_ = c == '\r';
      continue;
    }
    if (header && line_bytes_ == 2 && after_cr_)
      return state_ = verdict::done;
    if (lines_ > max_header_count)
      return state_ = verdict::too_many_headers;
    ++lines_;
    line_bytes_ = 0;
    after_cr_ = false;
  }
  return state_;
}

size_t json_depth(std::string_view json, size_t limit) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest && (deepest = depth) > limit)
          return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0)
          --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

} // namespace logbase
