#include "src/cluster.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <simdjson.h>

#include "src/json.hpp"

namespace logbase {

node_address parse_node_address(const std::string& text,
                                 const std::string& key) {
  auto colon = text.rfind(':');
  int port = 0;
  auto digits = colon == std::string::npos ? std::string{}
                                           : text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(),
                                   digits.data() + digits.size(), port);
  if (colon == std::string::npos || colon == 0 || ec != std::errc{}
      || end != digits.data() + digits.size() || port < 1 || port > 65535
      || text.find_first_of(", \t") != std::string::npos)
    throw std::invalid_argument("config '" + key + "': '" + text
                                + "' is not host:port");
  return node_address{text.substr(0, colon), static_cast<uint16_t>(port)};
}

std::string encode_member(const member_record& m) {
  return member_record_value(m.node, m.address, m.partitions, m.epoch);
}

std::optional<member_record> decode_member(std::string_view value) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(value.data(), value.size()).get(doc))
    return std::nullopt;
  member_record m;
  std::string_view node;
  std::string_view address;
  simdjson::dom::array parts;
  if (doc["node"].get_string().get(node) || node.empty()
      || doc["address"].get_string().get(address)
      || doc["partitions"].get_array().get(parts)
      || doc["epoch"].get_int64().get(m.epoch))
    return std::nullopt;
  m.node = node;
  m.address = address;
  for (auto x : parts) {
    int64_t partition = 0;
    if (x.get_int64().get(partition) || partition < 0 || partition > INT32_MAX)
      return std::nullopt;
    m.partitions.push_back(static_cast<int32_t>(partition));
  }
  return m;
}

void ownership_map::apply(const std::string& node,
                          std::optional<member_record> m, int64_t offset) {
  if (!m) {
    members_.erase(node);
    return;
  }
  members_[node] = entry{std::move(*m), offset};
}

std::string ownership_map::owner_of(int32_t partition) const {
  const entry* best = nullptr;
  std::string owner;
  for (auto& [name, e] : members_)
    for (auto p : e.record.partitions)
      if (p == partition && (best == nullptr || e.offset > best->offset)) {
        best = &e;
        owner = name;
      }
  return owner;
}

const member_record* ownership_map::member(const std::string& node) const {
  auto i = members_.find(node);
  return i == members_.end() ? nullptr : &i->second.record;
}

std::vector<std::string> ownership_map::nodes() const {
  std::vector<std::string> out;
  for (auto& [name, e] : members_)
    out.push_back(name);
  return out;
}

std::set<int32_t> standby_partitions(const ownership_map& owners,
                                     const std::string& me,
                                     int32_t partitions, int32_t replicas) {
  std::set<int32_t> out;
  // Nodes that own something, and this one: a killed node's record stays
  // (it claims nothing once the others took its partitions), and a warm
  // copy there would help no one.
  std::vector<std::string> owning;
  for (int32_t p = 0; p < partitions; ++p)
    owning.push_back(owners.owner_of(p));
  std::vector<std::string> nodes; // by name
  for (auto& name : owners.nodes())
    if (name == me
        || std::find(owning.begin(), owning.end(), name) != owning.end())
      nodes.push_back(name);
  if (std::find(nodes.begin(), nodes.end(), me) == nodes.end())
    nodes.insert(std::lower_bound(nodes.begin(), nodes.end(), me), me);
  for (int32_t p = 0; p < partitions && replicas > 0; ++p) {
    auto& owner = owning[static_cast<size_t>(p)];
    if (owner.empty() || owner == me)
      continue;
    auto at = std::find(nodes.begin(), nodes.end(), owner);
    if (at == nodes.end())
      continue;
    auto i = static_cast<size_t>(at - nodes.begin());
    auto followers = std::min<size_t>(static_cast<size_t>(replicas),
                                      nodes.size() - 1);
    for (size_t k = 1; k <= followers; ++k)
      if (nodes[(i + k) % nodes.size()] == me)
        out.insert(p);
  }
  return out;
}

} // namespace logbase
