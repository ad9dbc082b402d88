#pragma once

/// Several nodes share one app id by owning `events` partitions: node i of n
/// owns the partitions p with p % n == i, and with them the accounts whose
/// key lands there (their events, statistics and writes). Every node knows
/// every node's address; the list is the same, in the same order, on all.

#include <cstdint>
#include <string>
#include <vector>

namespace logbase {

struct node_address {
  std::string host;
  uint16_t port = 0;
};

/// `host:port,host:port,…`; throws std::invalid_argument on a bad entry.
std::vector<node_address> parse_nodes(const std::string& text);

class cluster_layout {
public:
  /// A single node owning everything.
  cluster_layout() = default;

  cluster_layout(size_t nodes, size_t index) : nodes_(nodes), index_(index) {
    // nop
  }

  size_t nodes() const {
    return nodes_;
  }

  size_t index() const {
    return index_;
  }

  bool single() const {
    return nodes_ <= 1;
  }

  /// The node that owns an `events` partition.
  size_t owner_of(int32_t partition) const {
    return static_cast<size_t>(partition) % nodes_;
  }

  bool owns(int32_t partition) const {
    return owner_of(partition) == index_;
  }

  /// The partitions of `partitions` that this node owns.
  std::vector<int32_t> owned(int32_t partitions) const {
    std::vector<int32_t> out;
    for (int32_t p = 0; p < partitions; ++p)
      if (owns(p))
        out.push_back(p);
    return out;
  }

private:
  size_t nodes_ = 1;
  size_t index_ = 0;
};

} // namespace logbase
