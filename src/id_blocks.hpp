#pragma once

/// Server-assigned ids, unique across nodes and never reused, with no store
/// but Kafka. The id space is cut into blocks of `block_size` ids; block N
/// holds ids N*size+1 … (N+1)*size. A node claims block N by producing a
/// record keyed N to the single-partition, compacted `<accounts>.id-blocks`
/// topic and owns it if its record is the first with key N in the log. Every
/// node reads that topic, so the next block to claim is one past the largest
/// ever claimed. Compaction keeps one record per key: the largest claimed
/// block survives, and nobody needs the losers once the race is decided.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace logbase {

/// Ids per block: fixed, so that every node cuts the id space alike.
constexpr int64_t id_block_size = 1000;

class id_blocks {
public:
  /// A claim record read from the topic.
  void on_claim(int64_t block, int64_t offset);

  /// The block a claim should ask for now.
  int64_t block_to_claim() const {
    return largest_claimed_ + 1;
  }

  /// After our claim of `block` landed at `offset` and was read back: did it
  /// win? On a win the block becomes the one ids are drawn from.
  bool settle_claim(int64_t block, int64_t offset);

  /// The next unused id of the current block, skipping ids `taken` says
  /// exist; nothing when the block is used up (claim another).
  std::optional<int64_t> next_id(const std::function<bool(int64_t)>& taken);

  /// The record key of a block's claim.
  static std::string key_of(int64_t block);

  /// The block a claim's key names; nothing when the key is not 8 bytes or
  /// names a block outside the id space, which no logbase claims (another
  /// producer's record): counting from it would overflow.
  static std::optional<int64_t> block_of_key(std::string_view key);

private:
  int64_t largest_claimed_ = -1;
  std::map<int64_t, int64_t> first_claim_offset_; ///< block → first offset
  int64_t next_ = 0; ///< next id to hand out, 0: no block
  int64_t end_ = 0;  ///< one past the current block
};

} // namespace logbase
