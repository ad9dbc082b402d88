// The limits of one request's head and body (src/request_limits.hpp), fed
// byte by byte and in pieces, without a socket.

#include <string>

#include <boost/test/unit_test.hpp>

#include "src/request_limits.hpp"

using namespace logbase;
using verdict = head_guard::verdict;

namespace {

std::string head_with(size_t headers, size_t value_bytes = 10) {
  std::string head = "GET /health HTTP/1.1\r\n";
  for (size_t i = 0; i < headers; ++i)
    head += "X-H" + std::to_string(i) + ": " + std::string(value_bytes, 'v')
            + "\r\n";
  return head + "\r\n";
}

verdict fed_in_pieces(const std::string& bytes, size_t piece) {
  head_guard g;
  for (size_t i = 0; i < bytes.size(); i += piece)
    g.take(std::string_view{bytes}.substr(i, piece));
  return g.state();
}

} // namespace

BOOST_AUTO_TEST_SUITE(request_limits_test)

BOOST_AUTO_TEST_CASE(a_head_within_the_limits_ends_at_its_empty_line) {
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}})
    BOOST_TEST((fed_in_pieces(head_with(max_header_count), piece)
                == verdict::done));
  head_guard g;
  BOOST_TEST((g.take("GET / HTTP/1.1\r\nHost: x\r\n") == verdict::reading));
  // The body and whatever follows the empty line are not looked at.
  BOOST_TEST((g.take("\r\n" + std::string(max_head_bytes * 2, '\n'))
              == verdict::done));
}

BOOST_AUTO_TEST_CASE(one_header_line_more_than_the_limit_is_refused) {
  for (size_t piece : {size_t{1}, size_t{13}, size_t{65536}})
    BOOST_TEST((fed_in_pieces(head_with(max_header_count + 1), piece)
                == verdict::too_many_headers));
}

BOOST_AUTO_TEST_CASE(a_header_line_longer_than_httplibs_limit_is_refused) {
  // "X-H0: " is 6 bytes and CRLF 2: a line of exactly the limit passes.
  auto at_limit = head_with(1, max_header_line_bytes - 8);
  BOOST_TEST((fed_in_pieces(at_limit, 100) == verdict::done));
  auto over = head_with(1, max_header_line_bytes - 7);
  BOOST_TEST((fed_in_pieces(over, 100) == verdict::header_too_long));
  // A line that never ends is refused once it is too long, not at its end.
  head_guard g;
  g.take("GET / HTTP/1.1\r\nX: ");
  BOOST_TEST((g.take(std::string(max_header_line_bytes, 'v'))
              == verdict::header_too_long));
}

BOOST_AUTO_TEST_CASE(a_head_larger_than_the_limit_is_refused) {
  // Lines under the per-line limit, but too many bytes in all.
  auto head = head_with(max_head_bytes / 8000 + 1, 8000);
  BOOST_TEST((fed_in_pieces(head, 1000) == verdict::head_too_large));
  // A request line may be long (httplib answers 414 past its own limit),
  // but not without end.
  head_guard g;
  BOOST_TEST((g.take("GET /" + std::string(max_request_line_bytes * 2, 'a'))
              == verdict::reading));
  BOOST_TEST((g.take(std::string(max_head_bytes, 'a'))
              == verdict::head_too_large));
}

BOOST_AUTO_TEST_CASE(a_bare_lf_ends_no_head) {
  // httplib ends a head only at CRLF CRLF; the guard must not stop
  // watching before httplib stops reading.
  head_guard g;
  BOOST_TEST((g.take("GET / HTTP/1.1\n\n") == verdict::reading));
  std::string more;
  for (size_t i = 0; i <= max_header_count; ++i)
    more += "X: y\n";
  BOOST_TEST((g.take(more) == verdict::too_many_headers));
}

BOOST_AUTO_TEST_CASE(reset_starts_the_next_request_afresh) {
  head_guard g;
  g.take(head_with(max_header_count + 1));
  BOOST_TEST((g.state() == verdict::too_many_headers));
  g.reset();
  BOOST_TEST((g.take(head_with(2)) == verdict::done));
}

BOOST_AUTO_TEST_CASE(json_depth_counts_brackets_outside_strings) {
  BOOST_TEST(json_depth(R"({"name":"a"})", 32) == 1u);
  BOOST_TEST(json_depth(R"([{"type":"t"},{"type":"u"}])", 32) == 2u);
  BOOST_TEST(json_depth(R"({"name":"[[[[{{{{"})", 32) == 1u);
  BOOST_TEST(json_depth(R"({"name":"\"[[[["})", 32) == 1u);
  BOOST_TEST(json_depth(R"(["\\",[[1]]])", 32) == 3u);
  BOOST_TEST(json_depth("", 32) == 0u);
  BOOST_TEST(json_depth("]]]}}", 32) == 0u);
  auto deep = std::string(100000, '[');
  BOOST_TEST(json_depth(deep, 32) == 33u); // stops counting past the limit
  auto exact = std::string(32, '[') + std::string(32, ']');
  BOOST_TEST(json_depth(exact, 32) == 32u);
}

BOOST_AUTO_TEST_SUITE_END()
