#pragma once

// Several hosts on one machine, for tests of nodes that talk over a network.
//
// Each host is a Linux network namespace with its own address on a private
// /24 (10.213.K.0/24, K free on this machine), its end of a veth pair joined
// to a bridge in the test's own namespace. The bridge holds the subnet's
// first address: a broker listening there is reachable from every host, and
// the test reaches every host's address. Names carry the test's pid
// (namespaces `lbhosts-<pid>-<i>`, links `lbh<pid>…`), so that runs at the
// same time keep apart; leftovers of a run that was killed (its pid gone)
// are removed first.
//
// Where namespaces are refused (not root, no `ip`), or the environment says
// LB_TEST_HOSTS=loopback, the hosts are the loopback addresses 127.0.0.2,
// .3, … instead, and the broker's is 127.0.0.1; it says so on stdout.

#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace logbase::test {

class simulated_hosts {
public:
  explicit simulated_hosts(size_t count);
  /// Removes the namespaces, veths and bridge.
  ~simulated_hosts();

  simulated_hosts(const simulated_hosts&) = delete;
  simulated_hosts& operator=(const simulated_hosts&) = delete;

  /// Whether the hosts are namespaces (not the loopback fallback).
  bool isolated() const {
    return !bridge_.empty();
  }

  size_t size() const {
    return hosts_.size();
  }

  const host& operator[](size_t i) const {
    return hosts_.at(i);
  }

  /// Where a service every host reaches listens (the bridge's address).
  const std::string& gateway() const {
    return gateway_;
  }

  /// The address a connection from host `i` comes from: its own, or, on
  /// loopback, 127.0.0.1 whatever the address dialled.
  std::string source_of(size_t i) const {
    return isolated() ? hosts_.at(i).address : "127.0.0.1";
  }

  /// A port to listen on: on hosts of their own every host can take the
  /// same, well-known one, as real hosts would; on loopback, a free one.
  uint16_t port(uint16_t well_known) const {
    return isolated() ? well_known : free_port();
  }

  /// Cuts host `i` off the network (its link to the bridge goes down:
  /// packets are dropped, connections hang) and mends it again; false on
  /// the loopback fallback, which cannot be cut.
  bool cut(size_t i);
  bool mend(size_t i);

private:
  /// Makes the namespaces; on the first refusal, undoes what it made and
  /// returns why.
  std::string make_namespaces(size_t count);
  void remove_namespaces();
  void use_loopback(size_t count, const std::string& why);

  std::vector<host> hosts_;
  std::string gateway_;
  std::string bridge_; ///< empty: the loopback fallback
};

} // namespace logbase::test
