// A record of the members topic (key: the node's name), read as the node
// reads it (actors/node.cpp: on_members, connect_peers).
//
// Input: flags (bit 0: tombstone), key field, then the value.

#include <stdexcept>

#include "src/cluster.hpp"
#include "fuzz_input.hpp"

using namespace logbase;

namespace {

bool same(const member_record& a, const member_record& b) {
  return a.node == b.node && a.address == b.address
         && a.partitions == b.partitions && a.epoch == b.epoch;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::input in{data, size};
  bool tombstone = (in.byte() & 1) != 0;
  std::string key{in.field()};
  auto value = in.rest();
  ownership_map owners;
  if (tombstone) {
    owners.apply(key, std::nullopt, 0);
    FUZZ_CHECK(owners.member(key) == nullptr);
    return 0;
  }
  auto m = decode_member(value);
  if (!m || m->node != key)
    return 0; // skipped and counted
  FUZZ_CHECK(!m->node.empty());
  for (auto p : m->partitions)
    FUZZ_CHECK(p >= 0);
  auto again = decode_member(encode_member(*m));
  FUZZ_CHECK(again && same(*again, *m));
  if (!m->address.empty()) {
    try {
      auto a = parse_node_address(m->address);
      FUZZ_CHECK(a.port >= 1 && !a.host.empty());
    } catch (const std::invalid_argument&) {
      // not dialled
    }
  }
  owners.apply(key, *m, 7);
  for (auto p : m->partitions)
    FUZZ_CHECK(owners.owner_of(p) == key);
  auto standby = standby_partitions(owners, "me", 16, 1);
  for (auto p : standby)
    FUZZ_CHECK(p >= 0 && p < 16);
  owners.apply(key, std::nullopt, 8);
  FUZZ_CHECK(owners.nodes().empty());
  return 0;
}
