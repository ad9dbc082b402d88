// A record of the `events` topic: key, value and the `idempotency` header,
// read as the event log and the statistics read them
// (actors/event_log.cpp, actors/stats.cpp).
//
// Input: flags (bit 0: tombstone), key field, header field, then the value.

#include <simdjson.h>

#include "src/codec.hpp"
#include "fuzz_input.hpp"
#include "src/record_checks.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "src/own_records.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

bool same(const event& a, const event& b) {
  return a.account_id == b.account_id && a.type == b.type
         && a.happened_at_ns == b.happened_at_ns;
}

void check_key(std::string_view key) {
  auto id = decode_long_key(key);
  if (id)
    FUZZ_CHECK(encode_long_key(*id) == key);
  auto p = partition_for(key, 4);
  FUZZ_CHECK(p >= 0 && p < 4);
}

void check_mark(std::string_view header) {
  auto mark = decode_mark(header);
  if (!mark)
    return;
  FUZZ_CHECK(mark->part < mark->parts && mark->parts <= max_event_batch);
  FUZZ_CHECK(!check_idempotency_key(mark->key));
  auto again = decode_mark(encode_mark(*mark));
  FUZZ_CHECK(again && again->key == mark->key
             && again->body_hash == mark->body_hash
             && again->part == mark->part && again->parts == mark->parts
             && again->written_ms == mark->written_ms);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  bool tombstone = (in.byte() & 1) != 0;
  auto key = in.field();
  auto header = in.field();
  auto value = in.rest();
  check_key(key);
  check_mark(header);
  // The poison rules: what they let through is what the API could write.
  in_record r{id_of(topic::events), 0, 0, 0, std::string{key},
              std::string{value}, tombstone, {}};
  auto checked = check_event_record(r, 0);
  if (auto* ok = std::get_if<event>(&checked)) {
    FUZZ_CHECK(decode_long_key(key) == ok->account_id);
    FUZZ_CHECK(valid_account_id(ok->account_id));
    FUZZ_CHECK(!check_event_type(ok->type));
    FUZZ_CHECK(valid_event_time(ok->happened_at_ns));
  }
  if (tombstone)
    return 0;
  auto e = decode_event_record(value);
  if (!e)
    return 0;
  // The shortcut for logbase's own records and the JSON parser agree: a
  // leading space sends the same value down the parser's way.
  if (read_own_event_record(value)) {
    auto parsed = decode_event_record(" " + std::string{value});
    FUZZ_CHECK(parsed && same(*parsed, *e));
  }
  // Written again as logbase writes events, it reads back equal.
  auto again = decode_event_record(event_record_value(*e));
  FUZZ_CHECK(again && same(*again, *e));
  // What a listing serves of it is well-formed JSON.
  simdjson::dom::parser p;
  simdjson::dom::element served;
  FUZZ_CHECK(!p.parse(event_json(*e)).get(served));
  std::string_view type;
  FUZZ_CHECK(!served["type"].get_string().get(type) && type == e->type);
  (void)day_of(e->happened_at_ns);
  return 0;
}
