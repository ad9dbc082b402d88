// Node links over mutual TLS (issue #10): nodes holding certificates from
// the cluster's CA link and route to each other; a node without one, or
// without TLS, is refused both ways and its requests for the other's
// accounts get 503. Certificates are made per test (pki.hpp).

#include <filesystem>
#include <memory>

#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "pki.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// Nodes of one app id on loopback, each with its own flags, each logging
/// (at info) to its own file.
struct nodes_on_loopback {
  deployment d;
  std::vector<uint16_t> peer_ports;
  std::vector<std::vector<std::string>> args;
  std::vector<std::string> logs;
  std::vector<std::unique_ptr<server>> nodes;

  nodes_on_loopback(const pki& keys,
                    const std::vector<std::vector<std::string>>& flags) {
    for (size_t i = 0; i < flags.size(); ++i)
      peer_ports.push_back(free_port());
    // Named so that node i dials node i+1 (the smaller name dials).
    for (size_t i = 0; i < flags.size(); ++i) {
      args.push_back({"--node-address=127.0.0.1:"
                        + std::to_string(peer_ports[i]),
                      "--node-name=n" + std::to_string(i),
                      "--log-level=info"});
      args.back().insert(args.back().end(), flags[i].begin(), flags[i].end());
      logs.push_back(keys.path("node-" + std::to_string(i) + ".log"));
      nodes.push_back(std::make_unique<server>(d, args[i], false, 0, logs[i]));
    }
    for (auto& n : nodes)
      BOOST_REQUIRE(n->wait_ready());
    BOOST_REQUIRE(wait_owned(all(), 4, std::chrono::seconds(30)));
  }

  std::vector<server*> all() const {
    std::vector<server*> out;
    for (auto& n : nodes)
      out.push_back(n.get());
    return out;
  }

  /// SIGKILL and start again, on the same ports.
  void restart(size_t i) {
    auto port = nodes[i]->port();
    nodes[i]->kill9();
    nodes[i] = std::make_unique<server>(d, args[i], true, port, logs[i]);
  }

  std::string log(size_t i) const {
    return read_file(logs[i]);
  }

  int64_t metric(size_t i, const std::string& name) {
    return metric_of(*nodes[i], name);
  }

  httplib::Client client(size_t i) {
    return nodes[i]->client();
  }

  /// The smallest account id node `i` owns (the group gave it the
  /// account's partition).
  int64_t id_owned_by(size_t i) const {
    auto mine = partitions_owned(*nodes[i]);
    BOOST_REQUIRE(!mine.empty());
    int64_t id = 1;
    while (mine.count(partition_for(encode_long_key(id), 4)) == 0)
      ++id;
    return id;
  }
};

/// PUT an account through a node; the status.
int put_account(httplib::Client c, int64_t id) {
  auto res = c.Put("/accounts/" + std::to_string(id), R"({"name":"x"})",
                   "application/json");
  return res ? res->status : -1;
}

/// Asks node `asked` for an account node `owner` owns, after it was made
/// there: `peer_unavailable` is what an unreachable owner gets.
void check_unreachable(nodes_on_loopback& c, size_t asked, size_t owner) {
  auto id = c.id_owned_by(owner);
  auto made = put_account(c.client(owner), id);
  BOOST_TEST((made == 201 || made == 200));
  // Until the asked node has read the owner's claim (the members topic),
  // the partition is `partition_moving`, which says to retry.
  int status = -1;
  std::string code;
  wait_until([&] {
    auto res = c.client(asked).Get("/accounts/" + std::to_string(id));
    status = res ? res->status : -1;
    code = res ? error_code_of(res->body) : "";
    return res && code != "partition_moving";
  }, 10s);
  BOOST_TEST(status == 503, "node " << asked << " asked for node " << owner
                                    << "'s account");
  BOOST_TEST(code == "peer_unavailable");
}

/// A TLS node (1) between two intruders: node 0 dials it, it dials node 2
/// (the smaller name dials). It refuses both, and none reaches another's
/// accounts across it.
void check_refused_both_ways(nodes_on_loopback& c) {
  auto to_intruder = "refused the node link to 127.0.0.1:"
                     + std::to_string(c.peer_ports[2]);
  BOOST_TEST(wait_until([&] {
    auto text = c.log(1);
    return count_of(text, "refused the node link from 127.0.0.1:") >= 1
           && count_of(text, to_intruder) >= 1;
  }, 20s), c.log(1));
  BOOST_TEST(c.metric(1, "logbase_node_links_refused_total") >= 2);
  BOOST_TEST(c.metric(1, "logbase_peers_connected") == 0);
  for (size_t intruder : {0u, 2u}) {
    check_unreachable(c, 1, intruder);
    check_unreachable(c, intruder, 1);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(node_tls_test)

BOOST_AUTO_TEST_CASE(nodes_with_certificates_from_the_ca_link_and_route) {
  pki keys;
  keys.node("node-a");
  keys.node("node-b");
  nodes_on_loopback c{keys, {keys.flags("node-a"), keys.flags("node-b")}};
  auto linked = [&] {
    return wait_until([&] {
      return c.metric(0, "logbase_peers_connected") == 1
             && c.metric(1, "logbase_peers_connected") == 1;
    }, 15s);
  };
  BOOST_REQUIRE(linked());
  // Each has read the other's claim, too (not only owns its own).
  BOOST_REQUIRE_MESSAGE(wait_settled(c.all(), 4, 15s),
                        ownership_report(c.all()));
  BOOST_TEST(count_of(c.log(0), "over mutual TLS") == 1u);
  // Each node answers for the other's account: every step crosses a link.
  for (size_t asked : {0u, 1u}) {
    auto id = c.id_owned_by(1 - asked);
    auto client = c.client(asked);
    BOOST_TEST(put_account(c.client(asked), id) == 201);
    BOOST_TEST(post_events(client, id, R"({"type":"tls"})") == 201);
    auto stats = client.Get("/accounts/" + std::to_string(id) + "/statistics");
    BOOST_REQUIRE(stats);
    BOOST_TEST(stats->status == 200);
    BOOST_TEST(sum_of_counts(stats->body) == 1);
  }
  // The files are read once, at start: a node whose key file is gone still
  // takes the next link (CAF would end the process reading it then).
  std::filesystem::remove(keys.path("node-b.key"));
  c.restart(0);
  BOOST_TEST(wait_until([&] {
    for (size_t asked : {0u, 1u}) {
      auto path = "/accounts/" + std::to_string(c.id_owned_by(1 - asked));
      auto res = c.client(asked).Get(path);
      if (!res || res->status != 200)
        return false;
    }
    return true;
  }, 20s));
  BOOST_TEST(c.nodes[1]->running());
  for (size_t i = 0; i < 2; ++i)
    BOOST_TEST(c.metric(i, "logbase_node_links_refused_total") == 0,
               c.log(i));
}

BOOST_AUTO_TEST_CASE(a_peer_without_the_ca_s_certificate_is_refused) {
  pki keys;
  keys.node("node-a");
  keys.rogue("rogue");
  // The rogues trust the real CA too (a CA certificate is no secret): only
  // their own certificate lacks the CA's signature.
  keys.bundle("rogue-trust.pem", {"rogue.pem", "ca.pem"});
  auto rogue = keys.flags("rogue", "rogue-trust.pem");
  nodes_on_loopback c{keys, {rogue, keys.flags("node-a"), rogue}};
  check_refused_both_ways(c);
  // The rogue that dialled hears why.
  BOOST_TEST(wait_until([&] {
    return count_of(c.log(0), "was refused by the other end (unknown CA)")
           >= 1;
  }, 5s), c.log(0));
}

BOOST_AUTO_TEST_CASE(a_plain_link_node_cannot_reach_a_tls_node) {
  pki keys;
  keys.node("node-a");
  nodes_on_loopback c{keys, {{}, keys.flags("node-a"), {}}};
  BOOST_TEST(count_of(c.log(0), "over plain TCP") == 1u);
  check_refused_both_ways(c);
  BOOST_TEST(count_of(c.log(1), "no TLS handshake") >= 1u);
}

BOOST_AUTO_TEST_CASE(a_node_refuses_to_start_with_files_that_do_not_fit) {
  pki keys;
  keys.node("node-a");
  keys.node("node-b");
  keys.rogue("rogue");
  struct mistake {
    std::vector<std::string> flags;
    std::string message;
  };
  std::vector<mistake> mistakes{
    {keys.flags("rogue"), "config 'node-tls-cert'"},
    {{"--node-tls-ca=" + keys.path("ca.pem"),
      "--node-tls-cert=" + keys.path("node-a.pem"),
      "--node-tls-key=" + keys.path("node-b.key")},
     "config 'node-tls-key'"},
    {keys.flags("node-a", "missing.pem"), "config 'node-tls-ca'"},
  };
  deployment d;
  for (size_t i = 0; i < mistakes.size(); ++i) {
    auto log = keys.path("start-" + std::to_string(i) + ".log");
    server s{d, mistakes[i].flags, false, 0, log};
    BOOST_TEST(wait_until([&] { return !s.running(); }, 30s), "case " << i);
    BOOST_TEST(count_of(read_file(log), mistakes[i].message) == 1u,
               read_file(log));
  }
}

BOOST_AUTO_TEST_SUITE_END()
