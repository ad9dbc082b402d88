// What a request says besides its body (http/params): the query string as
// httplib splits and decodes it, read by each route's parameter readers in
// the handlers' order, and the headers If-Match, Idempotency-Key and
// Last-Event-ID.
//
// Input: the query string (after `?`) on the first line, then header lines
// `Name: value`.

#include "fuzz_input.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "http/params.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

bool is(const failure& f, error_code code) {
  return f.code == code && !f.message.empty();
}

void check_int(const httplib::Request& req, const char* name, int64_t fallback,
               int64_t min, int64_t max) {
  auto v = int_param(req, name, fallback, min, max);
  FUZZ_CHECK(v ? (*v >= min && *v <= max) || (!req.has_param(name)
                                               && *v == fallback)
               : is(v.error(), error_code::bad_query));
}

void check_instant(const httplib::Request& req, const char* name) {
  auto v = instant_param(req, name);
  if (!v) {
    FUZZ_CHECK(is(v.error(), error_code::bad_query));
    return;
  }
  FUZZ_CHECK(v->has_value() == req.has_param(name));
  // The listing writes instants as format_instant: they read back equal.
  if (*v)
    FUZZ_CHECK(parse_instant(format_instant(**v)) == **v);
}

void check_day(const httplib::Request& req, const char* name) {
  auto v = day_param(req, name);
  if (!v) {
    FUZZ_CHECK(is(v.error(), error_code::bad_query));
    return;
  }
  if (*v)
    FUZZ_CHECK(parse_day(format_day(**v)) == **v);
}

void check_type(const httplib::Request& req) {
  auto v = type_param(req);
  if (!v)
    FUZZ_CHECK(is(v.error(), error_code::bad_query));
  else
    FUZZ_CHECK(v->empty() ? !req.has_param("type") : !check_event_type(*v));
}

void check_headers(const httplib::Request& req) {
  auto version = if_match(req);
  if (!version) {
    FUZZ_CHECK(is(version.error(), error_code::invalid_precondition));
  } else {
    FUZZ_CHECK(*version >= 0);
    // The ETag the server sends reads back as the same version.
    if (*version > 0) {
      httplib::Request etag;
      etag.set_header("If-Match", "\"" + std::to_string(*version) + "\"");
      auto again = if_match(etag);
      FUZZ_CHECK(again && *again == *version);
    }
  }
  auto key = idempotency_key(req);
  if (!key)
    FUZZ_CHECK(is(key.error(), error_code::invalid_idempotency_key));
  else
    FUZZ_CHECK(key->empty() || !check_idempotency_key(*key));
  auto resume = last_event_id(req);
  if (!resume)
    FUZZ_CHECK(is(resume.error(), error_code::bad_query));
  else
    FUZZ_CHECK(!*resume || **resume >= 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  auto eol = text.find('\n');
  httplib::Request req;
  httplib::detail::parse_query_text(std::string{text.substr(0, eol)},
                                    req.params);
  while (eol != std::string_view::npos) {
    text.remove_prefix(eol + 1);
    eol = text.find('\n');
    auto line = text.substr(0, eol);
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    auto value = line.substr(colon + 1);
    value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
    req.set_header(std::string{line.substr(0, colon)}, std::string{value});
  }
  // GET /accounts
  if (!only_params(req, {"limit", "after"})) {
    check_int(req, "limit", 1000, 1, 10000);
    check_int(req, "after", 0, 0, max_account_id);
  }
  // GET /accounts/{id}/events
  if (!only_params(req, {"from", "to", "type", "limit"})) {
    check_instant(req, "from");
    check_instant(req, "to");
    check_type(req);
  }
  // GET /accounts/{id}/events/stream
  if (!only_params(req, {"from", "type", "access_token"}))
    check_instant(req, "from");
  // GET /accounts/{id}/stats
  if (!only_params(req, {"from", "to", "type"})) {
    check_day(req, "from");
    check_day(req, "to");
  }
  check_headers(req);
  return 0;
}
