#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "src/time.hpp"

using namespace logbase;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(time_test)

BOOST_AUTO_TEST_CASE(instants_parse_to_nanoseconds) {
  BOOST_TEST(parse_instant("1970-01-01T00:00:00Z").value() == 0);
  BOOST_TEST(parse_instant("2024-05-01T10:00:00Z").value()
             == int64_t{1714557600} * ns_per_second);
  BOOST_TEST(parse_instant("2024-05-01T10:00:00.123456789Z").value()
             == int64_t{1714557600} * ns_per_second + 123456789);
  BOOST_TEST(parse_instant("2024-05-01T10:00:00.5Z").value()
             == int64_t{1714557600} * ns_per_second + 500000000);
  BOOST_TEST(parse_instant("2024-05-01T12:00:00+02:00").value()
             == int64_t{1714557600} * ns_per_second);
  BOOST_TEST(parse_instant("1969-12-31T23:59:59Z").value() == -ns_per_second);
}

BOOST_DATA_TEST_CASE(malformed_instants_are_rejected,
                     bdata::make({"", "2024-05-01", "2024-05-01T10:00:00",
                                  "2024-13-01T10:00:00Z", "2024-02-30T10:00:00Z",
                                  "2024-05-01T24:00:00Z", "2024-05-01T10:00:00.Z",
                                  "2024-05-01T10:00:00.1234567891Z",
                                  "2024-05-01 10:00:00Z", "2024-05-01T10:00:00Zx",
                                  "yesterday", "2024-05-01T10:00:00+0200"}),
                     text) {
  BOOST_TEST(!parse_instant(text).has_value());
}

BOOST_AUTO_TEST_CASE(instants_format_like_java_instant) {
  auto t = int64_t{1714557600} * ns_per_second;
  BOOST_TEST(format_instant(t) == "2024-05-01T10:00:00Z");
  BOOST_TEST(format_instant(t + 120'000'000) == "2024-05-01T10:00:00.120Z");
  BOOST_TEST(format_instant(t + 123'456'000) == "2024-05-01T10:00:00.123456Z");
  BOOST_TEST(format_instant(t + 123'456'789) == "2024-05-01T10:00:00.123456789Z");
  BOOST_TEST(format_instant(-ns_per_second) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(days_are_utc_midnight_windows) {
  auto may1 = parse_day("2024-05-01").value();
  BOOST_TEST(format_day(may1) == "2024-05-01");
  BOOST_TEST(day_of(parse_instant("2024-05-01T00:00:00Z").value()) == may1);
  BOOST_TEST(day_of(parse_instant("2024-05-01T23:59:59.999999999Z").value())
             == may1);
  BOOST_TEST(day_of(parse_instant("2024-05-02T00:00:00Z").value()) == may1 + 1);
  // An offset moves the instant, and so maybe its UTC day.
  BOOST_TEST(day_of(parse_instant("2024-05-02T01:00:00+02:00").value())
             == may1);
  BOOST_TEST(day_of(-1) == -1);
  BOOST_TEST(!parse_day("2024-5-1").has_value());
  BOOST_TEST(!parse_day("2024-05-01T00:00:00Z").has_value());
}

BOOST_AUTO_TEST_CASE(days_format_right_in_any_order) {
  // Formatting keeps the last day's text: alternate and repeat days.
  for (int32_t day = -800; day < 30000; day += 37)
    for (int32_t d : {day, day + 1, day, day})
      BOOST_TEST(parse_day(format_day(d)).value() == d, format_day(d));
  BOOST_TEST(format_day(0) == "1970-01-01");
  BOOST_TEST(format_day(19844) == "2024-05-01");
  BOOST_TEST(format_day(0) == "1970-01-01");
}

BOOST_AUTO_TEST_CASE(epoch_seconds_of_every_plain_shape) {
  // Seconds with 0 to 9 decimals (the fast path) and more (the general one).
  uint64_t x = 88172645463325252ull; // xorshift: varied, reproducible
  for (int round = 0; round < 2000; ++round) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int64_t secs = static_cast<int64_t>(x % 5'000'000'000ull);
    int decimals = static_cast<int>((x >> 40) % 12);
    std::string frac_text;
    for (int d = 0; d < decimals; ++d)
      frac_text += static_cast<char>('0' + (x >> (d * 3)) % 10);
    int64_t frac_ns = 0;
    for (int d = 0; d < 9; ++d)
      frac_ns = frac_ns * 10 + (d < decimals ? frac_text[d] - '0' : 0);
    auto text = std::to_string(secs) + (decimals ? "." + frac_text : "");
    int64_t want = secs * 1'000'000'000 + frac_ns;
    BOOST_TEST(parse_epoch_seconds(text).value() == want, text);
    BOOST_TEST(parse_epoch_seconds("-" + text).value() == -want, text);
  }
  BOOST_TEST(parse_epoch_seconds("9223372036.854775807").value()
             == INT64_MAX);
  BOOST_TEST(!parse_epoch_seconds("9223372036.854775808").has_value());
  BOOST_TEST(parse_epoch_seconds("1.").value() == 1'000'000'000);
  BOOST_TEST(!parse_epoch_seconds("1.5x").has_value());
  BOOST_TEST(!parse_epoch_seconds("").has_value());
}

BOOST_AUTO_TEST_CASE(epoch_seconds_keep_nanoseconds_exactly) {
  auto t = int64_t{1714557600} * ns_per_second + 123456789;
  BOOST_TEST(format_epoch_seconds(t) == "1714557600.123456789");
  BOOST_TEST(format_epoch_seconds(0) == "0.000000000");
  BOOST_TEST(format_epoch_seconds(-1'500'000'000) == "-1.500000000");
  BOOST_TEST(parse_epoch_seconds(format_epoch_seconds(-1'500'000'000)).value()
             == -1'500'000'000);
  BOOST_TEST(parse_epoch_seconds("1714557600.123456789").value() == t);
  BOOST_TEST(parse_epoch_seconds("1714557600").value()
             == int64_t{1714557600} * ns_per_second);
  BOOST_TEST(parse_epoch_seconds("1.7145576E9").value()
             == int64_t{1714557600} * ns_per_second);
  BOOST_TEST(parse_epoch_seconds("1714557600.5").value()
             == int64_t{1714557600} * ns_per_second + 500'000'000);
  BOOST_TEST(parse_epoch_seconds("-1.5").value() == -1'500'000'000);
  BOOST_TEST(!parse_epoch_seconds("abc").has_value());
  BOOST_TEST(!parse_epoch_seconds("1e400").has_value());
  BOOST_TEST(!parse_epoch_seconds("99999999999999999999").has_value());
}

// The earliest day's midnight lies before the smallest int64 nanosecond:
// its instants once overflowed while being written (tests/fuzz/time_text).
BOOST_AUTO_TEST_CASE(instants_at_the_ends_of_int64_format) {
  BOOST_TEST(format_instant(-9'223'372'036'000'000'000)
             == "1677-09-21T00:12:44Z");
  BOOST_TEST(format_instant(INT64_MIN) == "1677-09-21T00:12:43.145224192Z");
  BOOST_TEST(format_instant(INT64_MAX) == "2262-04-11T23:47:16.854775807Z");
  BOOST_TEST(format_instant(-1) == "1969-12-31T23:59:59.999999999Z");
}

BOOST_AUTO_TEST_SUITE_END()
