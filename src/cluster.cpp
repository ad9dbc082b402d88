#include "cluster.hpp"

#include <charconv>
#include <stdexcept>

namespace logbase {

std::vector<node_address> parse_nodes(const std::string& text) {
  std::vector<node_address> out;
  size_t at = 0;
  while (at < text.size()) {
    auto comma = text.find(',', at);
    auto entry = text.substr(at, comma == std::string::npos ? std::string::npos
                                                            : comma - at);
    auto colon = entry.rfind(':');
    node_address n;
    int port = 0;
    auto digits = colon == std::string::npos ? std::string{}
                                             : entry.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(),
                                     digits.data() + digits.size(), port);
    if (colon == std::string::npos || colon == 0 || ec != std::errc{}
        || end != digits.data() + digits.size() || port < 1 || port > 65535)
      throw std::invalid_argument("config 'nodes': '" + entry
                                  + "' is not host:port");
    n.host = entry.substr(0, colon);
    n.port = static_cast<uint16_t>(port);
    out.push_back(std::move(n));
    if (comma == std::string::npos)
      break;
    at = comma + 1;
  }
  return out;
}

} // namespace logbase
