#include "src/event_listing.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "src/json.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// About what an event takes (a type of a few letters: ~70).
constexpr size_t bytes_per_event = 96;

/// Types written without the escaping writer: valid ones (letters, digits,
/// `_ . : -`, at most 64) always are; a foreign producer's may not be.
constexpr size_t max_plain_type = 64;

bool plain(const std::string& s) {
  if (s.size() > max_plain_type)
    return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '"' || c == '\\')
      return false;
  }
  return true;
}

/// Copies a literal's characters (not its NUL) to `at`; returns the end.
template <size_t N>
char* put(char* at, const char (&text)[N]) {
  std::memcpy(at, text, N - 1);
  return at + N - 1;
}

} // namespace

std::string listing_json(const event_index& index, const event_query& q) {
  // Between an event's time and its type, every event of the listing has
  // the same text: written once, copied whole (the slack is overwritten).
  char middle[48] = {};
  char* m = put(middle, "\",\"accountId\":");
  m = std::to_chars(m, middle + sizeof(middle), q.account_id).ptr;
  m = put(m, ",\"type\":\"");
  auto middle_size = static_cast<size_t>(m - middle);
  // Room one event may need (a plain type), plus that slack.
  constexpr size_t room = 24 + max_instant_chars + sizeof(middle)
                          + max_plain_type;
  // Written in place: the text is sized ahead and cut to length at the end.
  std::string out;
  char* at = nullptr;
  auto ensure = [&](size_t bytes) {
    auto used = static_cast<size_t>(at - out.data());
    if (out.size() - used < bytes) {
      out.resize(std::max(out.size() * 2, used + bytes));
      at = out.data() + used;
    }
  };
  // Types found plain, by address (a type's text stays put during a scan):
  // checked once per listing, not once per event.
  const std::string* plain_types[16] = {};
  auto is_plain = [&](const std::string& type) {
    auto& seen = plain_types[reinterpret_cast<uintptr_t>(&type)
                             / sizeof(std::string) % 16];
    if (seen == &type)
      return true;
    if (!plain(type))
      return false;
    seen = &type;
    return true;
  };
  std::string escaped;
  index.scan(
    q,
    [&](size_t n) {
      out.resize(n * bytes_per_event + room);
      at = out.data();
      *at++ = '[';
    },
    [&](int64_t t, int64_t, const std::string& type) {
      ensure(room);
      if (at - out.data() > 1)
        *at++ = ',';
      at = put(at, "{\"happenedAt\":\"");
      at = write_instant(at, t);
      std::memcpy(at, middle, sizeof(middle));
      at += middle_size;
      if (is_plain(type)) {
        std::memcpy(at, type.data(), type.size());
        at += type.size();
        at = put(at, "\"}");
        return;
      }
      escaped.clear();
      append_json_string(escaped, type);
      --at; // the escaped text brings its own quotes
      ensure(escaped.size() + 1);
      std::memcpy(at, escaped.data(), escaped.size());
      at += escaped.size();
      *at++ = '}';
    });
  ensure(1);
  *at++ = ']';
  out.resize(static_cast<size_t>(at - out.data()));
  return out;
}

} // namespace logbase
