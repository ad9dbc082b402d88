// A record of the `accounts` topic, key and value, read as the account table
// reads it (actors/account_table_state.cpp: apply_account_record).
//
// Input: flags (bit 0: tombstone), key field, then the value (fuzz_input.hpp).

#include <simdjson.h>

#include "src/codec.hpp"
#include "fuzz_input.hpp"
#include "src/json.hpp"

using namespace logbase;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  bool tombstone = (in.byte() & 1) != 0;
  auto key = in.field();
  auto value = in.rest();
  auto id = decode_long_key(key);
  FUZZ_CHECK(id.has_value() == (key.size() == 8));
  if (!id)
    return 0;
  FUZZ_CHECK(encode_long_key(*id) == key);
  if (tombstone)
    return 0;
  auto a = decode_account_record(*id, value);
  if (!a)
    return 0;
  FUZZ_CHECK(a->id == *id && a->version >= 1);
  // What logbase writes back for it (a rename, say) reads back the same.
  auto again = decode_account_record(*id, account_record_value(*a));
  FUZZ_CHECK(again && *again == *a);
  // And what it serves of it is well-formed JSON saying the same.
  simdjson::dom::parser p;
  simdjson::dom::element served;
  FUZZ_CHECK(!p.parse(account_json(*a)).get(served));
  int64_t served_id = 0;
  std::string_view served_name;
  FUZZ_CHECK(!served["id"].get_int64().get(served_id) && served_id == a->id);
  FUZZ_CHECK(!served["name"].get_string().get(served_name)
             && served_name == a->name);
  return 0;
}
