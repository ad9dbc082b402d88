// The body of POST /accounts, PUT and PATCH /accounts/{id}: parse_account_body
// as the handlers call it.

#include <simdjson.h>

#include "fuzz_input.hpp"
#include "src/json.hpp"

using namespace logbase;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = fuzz::text_of(data, size);
  auto name = parse_account_body(body);
  if (!name) {
    // Only the answers the README lists for a body: 400 or 422.
    auto code = name.error().code;
    FUZZ_CHECK(code == error_code::malformed_json
               || code == error_code::invalid_body
               || code == error_code::invalid_name);
    FUZZ_CHECK(!name.error().message.empty());
    return 0;
  }
  // An accepted name obeys the rules, reads back the same from the JSON the
  // server writes, and that JSON is well-formed.
  FUZZ_CHECK(!check_name(*name));
  std::string again = "{\"name\":";
  append_json_string(again, *name);
  again += "}";
  auto back = parse_account_body(again);
  FUZZ_CHECK(back && *back == *name);
  account a{1, *name, 1, 0};
  simdjson::dom::parser p;
  std::string_view served;
  FUZZ_CHECK(!p.parse(account_json(a))["name"].get_string().get(served));
  FUZZ_CHECK(served == *name);
  return 0;
}
