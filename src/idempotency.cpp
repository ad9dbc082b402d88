#include "src/idempotency.hpp"

#include <charconv>

namespace logbase {

std::optional<failure> check_idempotency_key(std::string_view key) {
  auto name = std::string{idempotency_http_header};
  if (key.empty())
    return failure{error_code::invalid_idempotency_key,
                   name + " must not be empty"};
  if (key.size() > max_idempotency_key)
    return failure{error_code::invalid_idempotency_key,
                   name + " is " + std::to_string(key.size())
                     + " characters long; at most "
                     + std::to_string(max_idempotency_key) + " are allowed"};
  for (size_t i = 0; i < key.size(); ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x21 || c > 0x7E)
      return failure{error_code::invalid_idempotency_key,
                     name + " may hold only visible ASCII characters "
                            "(0x21-0x7E); character "
                       + std::to_string(i + 1) + " is not one"};
  }
  return std::nullopt;
}

namespace {

constexpr uint64_t fnv_offset = 14695981039346656037ULL;
constexpr uint64_t fnv_prime = 1099511628211ULL;

void mix(uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= fnv_prime;
  }
}

template <class T>
bool read_number(std::string_view text, T& out, int base = 10) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   out, base);
  return ec == std::errc{} && end == text.data() + text.size()
         && !text.empty();
}

} // namespace

uint64_t body_hash(const std::vector<event_input>& inputs, bool batch) {
  // Separators no type holds (types are letters, digits and `_ . : -`).
  uint64_t h = fnv_offset;
  mix(h, batch ? "[" : "{");
  for (auto& in : inputs) {
    mix(h, in.type);
    if (in.happened_at_ns)
      mix(h, " @" + std::to_string(*in.happened_at_ns));
    else
      mix(h, " now");
    mix(h, ";");
  }
  return h;
}

std::string encode_mark(const idempotency_mark& m) {
  char hash[17];
  auto [end, ec] = std::to_chars(hash, hash + 16, m.body_hash, 16);
  std::string hex(16 - static_cast<size_t>(end - hash), '0');
  hex.append(hash, end);
  return "1 " + hex + " " + std::to_string(m.part) + " "
         + std::to_string(m.parts) + " " + std::to_string(m.written_ms) + " "
         + m.key;
}

std::optional<idempotency_mark> decode_mark(std::string_view value) {
  std::string_view fields[5];
  for (auto& f : fields) {
    auto space = value.find(' ');
    if (space == std::string_view::npos)
      return std::nullopt;
    f = value.substr(0, space);
    value.remove_prefix(space + 1);
  }
  idempotency_mark m;
  if (fields[0] != "1" || fields[1].size() != 16
      || !read_number(fields[1], m.body_hash, 16)
      || !read_number(fields[2], m.part) || !read_number(fields[3], m.parts)
      || !read_number(fields[4], m.written_ms) || m.part >= m.parts
      || m.parts > max_event_batch // bounds what a stray header allocates
      || check_idempotency_key(value))
    return std::nullopt;
  m.key = std::string{value};
  return m;
}

} // namespace logbase
