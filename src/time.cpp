#include "src/time.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace logbase {

namespace {

using namespace std::chrono;

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size())
    return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::optional<int32_t> civil_day(int y, int m, int d) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return std::nullopt;
  return static_cast<int32_t>(sys_days{ymd}.time_since_epoch().count());
}

// Reads `YYYY-MM-DD` at the start of `s`.
std::optional<int32_t> read_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-'
      || !digits(s, 5, 2, m) || s[7] != '-' || !digits(s, 8, 2, d))
    return std::nullopt;
  return civil_day(y, m, d);
}

} // namespace

std::optional<int64_t> parse_instant(std::string_view s) {
  auto day = read_date(s);
  if (!day || s.size() < 20 || (s[10] != 'T' && s[10] != 't'))
    return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm)
      || s[16] != ':' || !digits(s, 17, 2, ss) || hh > 23 || mm > 59
      || ss > 59)
    return std::nullopt;
  size_t at = 19;
  int64_t fraction_ns = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    size_t start = at;
    int64_t scale = ns_per_second;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (at - start >= 9)
        return std::nullopt; // finer than nanoseconds
      scale /= 10;
      fraction_ns += (s[at] - '0') * scale;
      ++at;
    }
    if (at == start)
      return std::nullopt;
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':'
        || !digits(s, at + 4, 2, om) || oh > 18 || om > 59)
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[at] == '+' ? 1 : -1);
    at += 6;
  } else {
    return std::nullopt; // an instant needs its zone
  }
  if (at != s.size())
    return std::nullopt;
  int64_t seconds = int64_t{*day} * 86'400 + hh * 3600 + mm * 60 + ss
                    - offset_s;
  // int64 nanoseconds reach 1677..2262.
  if (seconds > 9'223'372'035 || seconds < -9'223'372'035)
    return std::nullopt;
  return seconds * ns_per_second + fraction_ns;
}

namespace {

/// Writes `value` as exactly `width` digits ending at `end`; returns `end`.
/// snprintf cost more than the rest of an events listing.
char* put_digits(char* end, int64_t value, int width) {
  char* at = end;
  for (int i = 0; i < width; ++i) {
    *--at = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return end;
}

/// `YYYY-MM-DD` into buf[0..10). The last day's text is kept per thread:
/// the events of a listing mostly share a few days.
void put_day(char* buf, int32_t day) {
  thread_local int32_t last_day = INT32_MIN;
  thread_local char last_text[10];
  if (day == last_day) {
    std::memcpy(buf, last_text, 10);
    return;
  }
  year_month_day ymd{sys_days{days{day}}};
  put_digits(buf + 4, static_cast<int>(ymd.year()), 4);
  buf[4] = '-';
  put_digits(buf + 7, static_cast<unsigned>(ymd.month()), 2);
  buf[7] = '-';
  put_digits(buf + 10, static_cast<unsigned>(ymd.day()), 2);
  std::memcpy(last_text, buf, 10);
  last_day = day;
}

/// Two digits (0..99) at `at`, from a table: an instant has up to seven
/// such pairs, and an events listing writes hundreds of instants.
char* put_pair(char* at, int64_t v) {
  static constexpr char pairs[] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";
  std::memcpy(at, pairs + 2 * v, 2);
  return at + 2;
}

} // namespace

char* write_instant(char* buf, int64_t ns) {
  auto day = day_of(ns);
  // Not ns - day * ns_per_day: the midnight of the earliest day, 1677-09-21,
  // lies before the smallest int64 (found by tests/fuzz/time_text).
  int64_t in_day = ns % ns_per_day;
  if (in_day < 0)
    in_day += ns_per_day;
  int64_t secs = in_day / ns_per_second;
  int64_t frac = in_day % ns_per_second;
  put_day(buf, day);
  char* at = buf + 10;
  *at++ = 'T';
  at = put_pair(at, secs / 3600);
  *at++ = ':';
  at = put_pair(at, secs / 60 % 60);
  *at++ = ':';
  at = put_pair(at, secs % 60);
  if (frac != 0) {
    *at++ = '.';
    if (frac % 1'000'000 == 0) {
      frac /= 1'000'000; // three digits
      *at++ = static_cast<char>('0' + frac / 100);
    } else if (frac % 1'000 == 0) {
      frac /= 1'000; // six digits
      at = put_pair(at, frac / 10'000);
      at = put_pair(at, frac / 100 % 100);
    } else { // nine digits
      *at++ = static_cast<char>('0' + frac / 100'000'000);
      at = put_pair(at, frac / 1'000'000 % 100);
      at = put_pair(at, frac / 10'000 % 100);
      at = put_pair(at, frac / 100 % 100);
    }
    at = put_pair(at, frac % 100);
  }
  *at++ = 'Z';
  return at;
}

void append_instant(std::string& out, int64_t ns) {
  char buf[max_instant_chars + 2];
  out.append(buf, write_instant(buf, ns));
}

std::string format_instant(int64_t ns) {
  std::string out;
  append_instant(out, ns);
  return out;
}

std::optional<int32_t> parse_day(std::string_view text) {
  if (text.size() != 10)
    return std::nullopt;
  return read_date(text);
}

std::string format_day(int32_t day) {
  char buf[10];
  put_day(buf, day);
  return std::string(buf, sizeof(buf));
}

char* write_epoch_seconds(char* buf, int64_t ns) {
  // Written by hand: snprintf was a visible part of batch ingest. Before
  // 1970 the sign covers the whole number, as the reader takes it.
  char* end = buf;
  uint64_t magnitude = ns < 0 ? 0 - static_cast<uint64_t>(ns)
                              : static_cast<uint64_t>(ns);
  if (ns < 0)
    *end++ = '-';
  // Room left for the point and the nine digits of the fraction.
  end = std::to_chars(end, buf + max_epoch_seconds_chars - 10,
                      magnitude / ns_per_second)
          .ptr;
  *end++ = '.';
  return put_digits(end + 9, static_cast<int64_t>(magnitude % ns_per_second), 9);
}

std::string format_epoch_seconds(int64_t ns) {
  char buf[max_epoch_seconds_chars];
  return std::string(buf, write_epoch_seconds(buf, ns));
}

namespace {

/// The shape every writer uses, seconds with at most nine decimals
/// ("1714557600.123456789"), read without building strings: a restore
/// reads millions. Nothing when `s` has another shape.
std::optional<int64_t> parse_plain_epoch_seconds(std::string_view s) {
  size_t at = 0;
  bool negative = at < s.size() && s[at] == '-';
  if (negative)
    ++at;
  size_t start = at;
  int64_t secs = 0;
  for (; at < s.size() && s[at] >= '0' && s[at] <= '9' && at - start < 10; ++at)
    secs = secs * 10 + (s[at] - '0');
  if (at == start || secs >= 9'000'000'000)
    return std::nullopt;
  int64_t frac = 0;
  int digits = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9' && digits < 9;
         ++at, ++digits)
      frac = frac * 10 + (s[at] - '0');
    if (digits == 0)
      return std::nullopt;
  }
  if (at != s.size())
    return std::nullopt;
  for (; digits < 9; ++digits)
    frac *= 10;
  int64_t ns = secs * 1'000'000'000 + frac;
  return negative ? -ns : ns;
}

} // namespace

std::optional<int64_t> parse_epoch_seconds(std::string_view s) {
  if (auto ns = parse_plain_epoch_seconds(s))
    return ns;
  // Decimal arithmetic on the text, so that 19 significant digits survive
  // (a double keeps 15 to 17).
  size_t at = 0;
  bool negative = false;
  if (at < s.size() && s[at] == '-') {
    negative = true;
    ++at;
  }
  std::string mantissa;
  int point = -1;
  for (; at < s.size(); ++at) {
    char c = s[at];
    if (c >= '0' && c <= '9')
      mantissa += c;
    else if (c == '.' && point < 0)
      point = static_cast<int>(mantissa.size());
    else
      break;
  }
  if (mantissa.empty())
    return std::nullopt;
  if (point < 0)
    point = static_cast<int>(mantissa.size());
  int exponent = 0;
  if (at < s.size() && (s[at] == 'e' || s[at] == 'E')) {
    ++at;
    bool exp_negative = false;
    if (at < s.size() && (s[at] == '+' || s[at] == '-'))
      exp_negative = s[at++] == '-';
    size_t start = at;
    for (; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at) {
      exponent = exponent * 10 + (s[at] - '0');
      if (exponent > 100)
        return std::nullopt;
    }
    if (at == start)
      return std::nullopt;
    if (exp_negative)
      exponent = -exponent;
  }
  if (at != s.size())
    return std::nullopt;
  // Value = 0.mantissa digits shifted: integer digits of ns are those left
  // of position point + exponent + 9.
  int integer_digits = point + exponent + 9;
  std::string whole;
  if (integer_digits <= 0)
    whole = "0";
  else if (integer_digits >= static_cast<int>(mantissa.size()))
    whole = mantissa + std::string(static_cast<size_t>(integer_digits) - mantissa.size(), '0');
  else
    whole = mantissa.substr(0, static_cast<size_t>(integer_digits));
  size_t first = whole.find_first_not_of('0');
  if (first == std::string::npos)
    return 0;
  whole = whole.substr(first);
  if (whole.size() > 19 || (whole.size() == 19 && whole > "9223372036854775807"))
    return std::nullopt;
  int64_t value = std::stoll(whole);
  return negative ? -value : value;
}

int64_t now_ns() {
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace logbase
