#include "cluster.hpp"

#include <charconv>
#include <stdexcept>

#include <simdjson.h>

#include "json.hpp"

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
  std::string out = "{\"node\":";
  append_json_string(out, m.node);
  out += ",\"address\":";
  append_json_string(out, m.address);
  out += ",\"partitions\":[";
  for (size_t i = 0; i < m.partitions.size(); ++i) {
    if (i > 0)
      out += ',';
    out += std::to_string(m.partitions[i]);
  }
  out += "],\"epoch\":";
  out += std::to_string(m.epoch);
  out += '}';
  return out;
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

} // namespace logbase
