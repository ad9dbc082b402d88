// The body of POST /accounts/{id}/events, one event object or an array of
// them: parse_events_body as the handler calls it.

#include "fuzz_input.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

/// The events as a client could post them again: types as JSON strings,
/// times as epoch seconds, as the original app wrote them.
std::string body_of(const std::vector<event_input>& events, bool batch) {
  std::string out = batch ? "[" : "";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0)
      out += ',';
    out += "{\"type\":";
    append_json_string(out, events[i].type);
    if (events[i].happened_at_ns) {
      out += ",\"happenedAt\":";
      out += format_epoch_seconds(*events[i].happened_at_ns);
    }
    out += '}';
  }
  if (batch)
    out += ']';
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = fuzz::text_of(data, size);
  auto events = parse_events_body(body);
  if (!events) {
    auto code = events.error().code;
    FUZZ_CHECK(code == error_code::malformed_json
               || code == error_code::invalid_body
               || code == error_code::invalid_event_type
               || code == error_code::payload_too_large);
    return 0;
  }
  FUZZ_CHECK(!events->empty() && events->size() <= max_event_batch);
  for (auto& e : *events)
    FUZZ_CHECK(!check_event_type(e.type));
  // Written again (another spacing, field order and time notation), the
  // events read back equal, and an Idempotency-Key's body hash agrees.
  auto start = body.substr(body.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
  size_t first = start.find_first_not_of(" \t\r\n");
  bool batch = first != std::string_view::npos && start[first] == '[';
  auto again = parse_events_body(body_of(*events, batch));
  FUZZ_CHECK(again && again->size() == events->size());
  for (size_t i = 0; i < events->size(); ++i) {
    FUZZ_CHECK((*again)[i].type == (*events)[i].type);
    FUZZ_CHECK((*again)[i].happened_at_ns == (*events)[i].happened_at_ns);
  }
  FUZZ_CHECK(body_hash(*again, batch) == body_hash(*events, batch));
  return 0;
}
