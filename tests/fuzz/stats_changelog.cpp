// Records of the statistics changelog (counts, tombstones, checkpoints),
// restored as the statistics restore them (daily_stats::restore), then
// served and written back.
//
// Input: records until the input ends, each: flags (bit 0: tombstone, bits
// 1-2: partition), key field, value field.

#include <set>

#include <simdjson.h>

#include "src/codec.hpp"
#include "src/daily_stats.hpp"
#include "fuzz_input.hpp"
#include "src/json.hpp"

using namespace logbase;

namespace {

bool same(const std::vector<daily_count>& a, const std::vector<daily_count>& b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].day != b[i].day || a[i].type != b[i].type
        || a[i].count != b[i].count)
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  daily_stats stats;
  std::set<int64_t> accounts;
  while (!in.rest().empty()) {
    in_record r;
    auto flags = in.byte();
    r.topic_id = id_of(topic::stats_changelog);
    r.tombstone = (flags & 1) != 0;
    r.partition = (flags >> 1) & 3;
    r.key = in.field();
    r.value = in.field();
    (void)stats.restore(r, 0); // 0: any partition
    if (auto id = decode_long_key(std::string_view{r.key}.substr(0, 8)))
      accounts.insert(*id);
  }
  for (int32_t p = 0; p < 4; ++p)
    (void)stats.next_offset(p);
  // Every account's counts: served as well-formed JSON, and written back as
  // the changelog records logbase writes, they restore to the same counts.
  daily_stats restored;
  std::vector<out_record> written;
  for (auto id : accounts) {
    auto counts = stats.query(stats_query{id, INT32_MIN, INT32_MAX, {}});
    simdjson::dom::parser p;
    simdjson::dom::element served;
    FUZZ_CHECK(!p.parse(daily_counts_json(counts)).get(served));
    for (auto& c : counts) {
      out_record r;
      r.key = daily_stats::count_key(id, c.day, c.type);
      written.push_back(std::move(r));
    }
  }
  stats.retry(written);
  for (auto& r : stats.take_changes(id_of(topic::stats_changelog))) {
    FUZZ_CHECK(!r.tombstone);
    (void)restored.restore(
      in_record{r.topic_id, 0, 0, 0, r.key, r.value, false, {}}, 0);
  }
  for (auto id : accounts) {
    stats_query all{id, INT32_MIN, INT32_MAX, {}};
    FUZZ_CHECK(same(restored.query(all), stats.query(all)));
  }
  return 0;
}
