#include "actors/account_table.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "src/record_checks.hpp"

// The account table's state: what its records do to it, and when it is
// ready. The commands and the behavior are in account_table.cpp.

namespace logbase {

std::chrono::milliseconds account_table_state::write_timeout() const {
  // The whole write (end offset, produce, read back) fits in the write
  // timeout plus librdkafka's once-a-second timeout scan.
  return std::chrono::milliseconds{cfg.write_timeout_ms};
}

std::chrono::milliseconds account_table_state::query_timeout() const {
  return std::chrono::milliseconds{cfg.write_timeout_ms / 4 + 500};
}

std::optional<caf::error> account_table_state::refusal(int64_t id) const {
  if (!ready)
    return make_error(error_code::not_ready,
                      "the account table is still being restored");
  auto p = events_partition_of(id);
  return partition_refusal(id, owned.count(p) > 0,
                           catching_up.count(p) == 0,
                           "the account table of a partition just taken");
}

int32_t account_table_state::events_partition_of(int64_t id) const {
  return partition_for(encode_long_key(id), layout.of(topic::events));
}

void account_table_state::apply_account_record(const in_record& r) {
  auto skip = [&](record_fault why) {
    skipped.report(topic::accounts, why, cfg.accounts_topic, r.partition,
                   r.offset);
  };
  auto key = check_account_key(r.key, r.partition, layout.of(topic::accounts));
  if (auto* why = std::get_if<record_fault>(&key))
    return skip(*why);
  auto id = std::get<int64_t>(key);
  if (r.tombstone) {
    if (!valid_account_id(id))
      return skip(record_fault::bad_id);
    store.apply_tombstone(id);
  } else {
    auto a = check_account_value(id, r.value);
    if (auto* why = std::get_if<record_fault>(&a))
      return skip(*why);
    store.apply(std::get<account>(a));
  }
  if (!ready)
    return;
  std::vector<account> live;
  std::vector<int64_t> gone;
  if (auto* a = store.find(id))
    live.push_back(*a);
  else
    gone.push_back(id);
  for (auto& l : listeners)
    self->send(l, account_atom::value, live, gone, false);
}

void account_table_state::on_records(const record_batch& batch) {
  std::map<std::pair<uint8_t, int32_t>, int64_t> reached;
  for (auto& r : batch.records) {
    if (r.topic_id == id_of(topic::accounts)) {
      apply_account_record(r);
    } else if (r.topic_id == id_of(topic::id_blocks)) {
      if (auto block = id_blocks::block_of_key(r.key))
        ids.on_claim(*block, r.offset);
      else
        skipped.report(topic::id_blocks, record_fault::undecodable,
                       cfg.topic_name(topic::id_blocks), r.partition,
                       r.offset);
    }
    reached[{r.topic_id, r.partition}] = r.offset + 1;
  }
  for (auto& end : batch.reached_end) {
    if (end.topic_id == id_of(topic::accounts))
      restored.insert(end.partition);
    else
      id_blocks_restored = true;
    auto& at = reached[{end.topic_id, end.partition}];
    at = std::max(at, end.start_offset);
  }
  global_metrics().accounts.Set(static_cast<double>(store.size()));
  for (auto& [where, next] : reached) {
    auto& waiters = where.first == id_of(topic::accounts) ? applied
                                                          : claims_read;
    for (auto& answer : waiters.advance(where.second, next))
      answer();
  }
  maybe_ready();
}

void account_table_state::maybe_ready() {
  if (ready || restored_partitions() < total_partitions())
    return;
  ready = true;
  log(log_level::info, "account_table", "restored ", store.size(),
      " accounts");
  for (auto& l : listeners)
    self->send(l, account_atom::value, store.all(), std::vector<int64_t>{},
               true);
}

} // namespace logbase
