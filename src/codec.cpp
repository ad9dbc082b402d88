#include "src/codec.hpp"

namespace logbase {

std::string encode_long_key(int64_t id) {
  auto u = static_cast<uint64_t>(id);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}

std::optional<int64_t> decode_long_key(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  uint64_t u = 0;
  for (char c : key)
    u = (u << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(u);
}

int32_t murmur2(std::string_view data) {
  // Constants and mixing of Kafka's Utils.murmur2 (seed 0x9747b28c), which
  // reads 4-byte blocks little-endian.
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  auto length = static_cast<uint32_t>(data.size());
  uint32_t h = 0x9747b28cU ^ length;
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(data[i])); };
  size_t blocks = data.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    size_t at = i * 4;
    uint32_t k = byte(at) | (byte(at + 1) << 8) | (byte(at + 2) << 16)
                 | (byte(at + 3) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  size_t tail = blocks * 4;
  switch (data.size() % 4) {
    case 3:
      h ^= byte(tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte(tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte(tail);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for(std::string_view key, int32_t partitions) {
  auto positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffU;
  return static_cast<int32_t>(positive % static_cast<uint32_t>(partitions));
}

} // namespace logbase
