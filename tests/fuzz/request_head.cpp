// The request-head guard (src/request_limits): the bytes of a request head
// as a socket hands them over, in pieces of any size.
//
// Input: one byte that picks the piece size (1 … 64), then the bytes read.

#include "fuzz_input.hpp"
#include "src/request_limits.hpp"

using namespace logbase;

namespace {

head_guard::verdict in_pieces(std::string_view bytes, size_t piece) {
  head_guard g;
  auto v = g.state();
  while (!bytes.empty()) {
    auto before = g.state();
    v = g.take(bytes.substr(0, piece));
    // A verdict other than reading is final.
    FUZZ_CHECK(before == head_guard::verdict::reading || v == before);
    FUZZ_CHECK(v == g.state());
    bytes.remove_prefix(std::min(piece, bytes.size()));
  }
  return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  size_t piece = 1 + in.byte() % 64;
  auto bytes = in.rest();
  auto whole = in_pieces(bytes, bytes.size() + 1);
  // How the socket cuts the bytes changes nothing.
  FUZZ_CHECK(in_pieces(bytes, piece) == whole);
  using v = head_guard::verdict;
  switch (whole) {
    case v::done:
      // A head ends with an empty line after at least the request line.
      FUZZ_CHECK(bytes.find("\n\r\n") != std::string_view::npos);
      break;
    case v::head_too_large:
      FUZZ_CHECK(bytes.size() > max_head_bytes);
      break;
    case v::header_too_long:
      FUZZ_CHECK(bytes.size() > max_header_line_bytes);
      break;
    case v::too_many_headers:
      FUZZ_CHECK(bytes.size() > max_header_count);
      break;
    case v::reading:
      // Nothing refused a head shorter than every limit.
      break;
  }
  // After a reset the guard reads a new request as if new.
  head_guard g;
  g.take(bytes);
  g.reset();
  FUZZ_CHECK(g.state() == v::reading);
  return 0;
}
