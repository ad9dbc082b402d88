// Time as text: ISO-8601 instants (happenedAt, ?from=, ?to=), epoch seconds
// (happenedAt in records and bodies) and days (the statistics' ?from=).
//
// Input: the text, given to each parser.

#include "fuzz_input.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

// parse_instant's bounds: int64 nanoseconds less a second each side.
constexpr int64_t instant_limit_s = 9'223'372'035;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  if (auto ns = parse_instant(text)) {
    FUZZ_CHECK(*ns / ns_per_second <= instant_limit_s
               && *ns / ns_per_second >= -instant_limit_s - 1);
    auto written = format_instant(*ns);
    FUZZ_CHECK(written.size() <= max_instant_chars);
    FUZZ_CHECK(parse_instant(written) == ns);
    // Its day, as the statistics count it, is the date it is written with.
    FUZZ_CHECK(parse_day(written.substr(0, 10)) == day_of(*ns));
    FUZZ_CHECK(parse_epoch_seconds(format_epoch_seconds(*ns)) == ns);
  }
  if (auto ns = parse_epoch_seconds(text)) {
    FUZZ_CHECK(parse_epoch_seconds(format_epoch_seconds(*ns)) == ns);
    // The plain notation and the exponent one read alike.
    auto exp = format_epoch_seconds(*ns) + "e0";
    FUZZ_CHECK(parse_epoch_seconds(exp) == ns);
    auto written = format_instant(*ns);
    FUZZ_CHECK(written.size() <= max_instant_chars);
    if (*ns / ns_per_second <= instant_limit_s
        && *ns / ns_per_second > -instant_limit_s)
      FUZZ_CHECK(parse_instant(written) == ns);
  }
  if (auto day = parse_day(text)) {
    FUZZ_CHECK(format_day(*day) == text);
  }
  return 0;
}
