// Server-assigned ids for the account table: blocks claimed in the
// `<accounts>.id-blocks` topic (see id_blocks.hpp).

#include "actors/account_table.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/json.hpp"
#include "src/log.hpp"

namespace logbase {

using self_ptr = account_table_self;

namespace {

void claim_block(self_ptr self);

/// Runs (nullptr) or fails the reservations that waited for a block.
void release_waiting(self_ptr self, const caf::error* err) {
  auto waiting = std::move(self->state.waiting_for_id);
  self->state.waiting_for_id.clear();
  for (auto& w : waiting)
    w(err);
}

void settle_claim(self_ptr self, int64_t block, int64_t offset) {
  auto& st = self->state;
  if (!st.ids.settle_claim(block, offset)) {
    claim_block(self); // another node was first: try the next block
    return;
  }
  log(log_level::info, "account_table", "claimed id block ", block);
  st.claiming = false;
  release_waiting(self, nullptr);
}

void claim_block(self_ptr self) {
  auto& st = self->state;
  st.claiming = true;
  auto block = st.ids.block_to_claim();
  if ((block + 1) * id_block_size > max_account_id) {
    st.claiming = false;
    auto err = make_error(error_code::id_space_exhausted,
                          "no server-assigned ids are left");
    release_waiting(self, &err);
    return;
  }
  out_record r;
  r.topic_id = id_of(topic::id_blocks);
  r.partition = 0;
  r.key = id_blocks::key_of(block);
  r.value = id_block_value(block, block * id_block_size + 1,
                           (block + 1) * id_block_size,
                           st.cfg.app_id + "/" + st.cfg.name_of_node());
  self
    ->request(st.bridge, self->state.write_timeout(), produce_atom::value,
              std::vector<out_record>{std::move(r)})
    .then(
      [=](const std::vector<delivery>& ds) {
        auto offset = ds.front().offset;
        if (!self->state.claims_read.wait(0, offset, [=] {
              settle_claim(self, block, offset);
            }))
          settle_claim(self, block, offset);
      },
      [=](const caf::error& failed) {
        auto err = kafka_timeout_as_unavailable(failed);
        self->state.claiming = false;
        log(log_level::warn, "account_table", "id block claim failed: ",
            to_failure(err).message);
        release_waiting(self, &err);
      });
}

} // namespace

/// A fresh server-assigned id, claiming a block first if needed. The id is
/// written by a create-only PUT on the node that owns it.
void reserve_id(self_ptr self, caf::typed_response_promise<int64_t> rp) {
  auto& st = self->state;
  auto id = st.ids.next_id([&](int64_t x) {
    return st.store.taken(x) || st.gate.running(x) > 0;
  });
  if (!id) {
    st.waiting_for_id.push_back([=](const caf::error* err) mutable {
      if (err)
        rp.deliver(*err);
      else
        reserve_id(self, rp);
    });
    if (!st.claiming)
      claim_block(self);
    return;
  }
  rp.deliver(*id);
}

} // namespace logbase
