#include "src/id_blocks.hpp"

#include "src/codec.hpp"
#include "src/model.hpp"

namespace logbase {

void id_blocks::on_claim(int64_t block, int64_t offset) {
  if (block > largest_claimed_)
    largest_claimed_ = block;
  first_claim_offset_.emplace(block, offset); // keeps the first one
}

bool id_blocks::settle_claim(int64_t block, int64_t offset) {
  auto i = first_claim_offset_.find(block);
  bool won = i != first_claim_offset_.end() && i->second == offset;
  if (won) {
    // Block 0 starts at id 1: ids are positive.
    next_ = block * id_block_size + 1;
    end_ = (block + 1) * id_block_size + 1;
  }
  // Older claims are decided; only the largest block matters from now on.
  first_claim_offset_.erase(first_claim_offset_.begin(),
                            first_claim_offset_.upper_bound(block));
  return won;
}

std::optional<int64_t> id_blocks::next_id(
  const std::function<bool(int64_t)>& taken) {
  while (next_ != 0 && next_ < end_ && next_ <= max_account_id) {
    int64_t id = next_++;
    if (!taken(id))
      return id;
  }
  return std::nullopt;
}

std::string id_blocks::key_of(int64_t block) {
  return encode_long_key(block);
}

std::optional<int64_t> id_blocks::block_of_key(std::string_view key) {
  auto block = decode_long_key(key);
  if (!block || *block < 0 || *block > max_account_id / id_block_size)
    return std::nullopt;
  return block;
}

} // namespace logbase
