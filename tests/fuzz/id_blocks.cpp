// Claims read from the id-blocks topic (keys: the block, 8 bytes), then a
// claim of our own, as the account table makes one
// (actors/account_table_state.cpp, actors/account_ids.cpp): the ids it
// hands out stay in the claimed block and in the id space.
//
// Input: claim keys until the input ends, each a field.

#include "src/codec.hpp"
#include "fuzz_input.hpp"
#include "src/id_blocks.hpp"
#include "src/model.hpp"

using namespace logbase;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  id_blocks ids;
  int64_t offset = 0;
  while (!in.rest().empty()) {
    auto key = in.field();
    if (auto block = id_blocks::block_of_key(key))
      ids.on_claim(*block, offset);
    ++offset;
  }
  // claim_block: the next block, unless the id space is used up.
  auto block = ids.block_to_claim();
  FUZZ_CHECK(block >= 0);
  if ((block + 1) * id_block_size > max_account_id)
    return 0;
  FUZZ_CHECK(decode_long_key(id_blocks::key_of(block)) == block);
  // Our claim is read back at the next offset; nobody claimed it before.
  ids.on_claim(block, offset);
  FUZZ_CHECK(ids.settle_claim(block, offset));
  int64_t last = 0;
  int64_t n = 0;
  // Every third id exists already (a client's PUT): it is skipped.
  while (auto id = ids.next_id([](int64_t x) { return x % 3 == 0; })) {
    FUZZ_CHECK(*id > last && *id % 3 != 0);
    FUZZ_CHECK(*id > block * id_block_size
               && *id <= (block + 1) * id_block_size);
    FUZZ_CHECK(*id >= 1 && *id <= max_account_id);
    last = *id;
    ++n;
  }
  FUZZ_CHECK(n > 0);
  FUZZ_CHECK(ids.block_to_claim() == block + 1);
  return 0;
}
