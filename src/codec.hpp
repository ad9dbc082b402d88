#pragma once

/// Record keys as the original app wrote them, and where Kafka's Java client
/// places them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logbase {

/// An account id as an 8-byte big-endian signed long (Kafka's LongSerializer).
std::string encode_long_key(int64_t id);

/// The id in an 8-byte key; nothing for keys of any other size.
std::optional<int64_t> decode_long_key(std::string_view key);

/// Kafka's `Utils.murmur2`, bit for bit.
int32_t murmur2(std::string_view data);

/// The partition the Java client's default partitioner picks for a key.
int32_t partition_for(std::string_view key, int32_t partitions);

} // namespace logbase
