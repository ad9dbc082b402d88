// Nodes on several hosts (issue #10): each node in a network namespace of
// its own, with its own address (hosts.hpp), against a broker of the
// suite's own that listens where every host reaches it. Three nodes share
// the accounts as the app id's consumer group decides: writes through one
// node are read alike through the others, over plain links and over mutual
// TLS, and a peer on a fourth host whose certificate the CA did not sign is
// refused.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <array>
#include <iostream>
#include <map>
#include <memory>

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "src/cluster.hpp"
#include "src/codec.hpp"
#include "hosts.hpp"
#include "own_broker.hpp"
#include "pki.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

constexpr size_t node_count = 3;
/// The README's ports: on hosts of their own, every node takes the same.
constexpr uint16_t http_port = 8080;
constexpr uint16_t peer_port = 4000;

/// Four hosts (three for the nodes, one for an intruder) and a broker that
/// every host reaches, made once for the suite: a broker takes seconds to
/// start, and both outlive every node of every test.
struct hosts_and_broker {
  simulated_hosts hosts{node_count + 1};
  own_broker broker{hosts.gateway()};

  hosts_and_broker() {
    current = this;
  }
  ~hosts_and_broker() {
    current = nullptr;
  }

  static inline hosts_and_broker* current = nullptr;
};

hosts_and_broker& shared() {
  BOOST_REQUIRE(hosts_and_broker::current != nullptr);
  return *hosts_and_broker::current;
}

/// Nodes of one app id, node i on host i: HTTP and peer listeners on that
/// host's address. With `keys`, each node logs at info to a file in its
/// folder (the TLS lines are read back); without, to the test's output.
struct cluster_on_hosts {
  const simulated_hosts& hosts = shared().hosts;
  deployment d;
  std::vector<std::string> logs;
  std::vector<std::unique_ptr<server>> nodes;
  std::vector<std::string> peers; ///< each node's host:port for peers

  cluster_on_hosts(const std::vector<std::vector<std::string>>& flags,
                   const pki* keys = nullptr) {
    d.bootstrap_servers = shared().broker.address();
    for (size_t i = 0; i < node_count; ++i)
      peers.push_back(hosts[i].address + ":"
                      + std::to_string(hosts.port(peer_port)));
    for (size_t i = 0; i < node_count; ++i) {
      std::vector<std::string> args{"--node-address=" + peers[i],
                                    "--node-name=n" + std::to_string(i)};
      if (keys != nullptr) {
        // LB_TEST_NODE_LOG_LEVEL=debug: what each node consumed and wrote.
        auto* level = std::getenv("LB_TEST_NODE_LOG_LEVEL");
        args.push_back(std::string{"--log-level="}
                       + (level != nullptr ? level : "info"));
        logs.push_back(keys->path("node-" + std::to_string(i) + ".log"));
      } else {
        logs.emplace_back();
      }
      args.insert(args.end(), flags[i].begin(), flags[i].end());
      nodes.push_back(std::make_unique<server>(
        d, args, false, hosts.port(http_port), logs[i], hosts[i]));
    }
    for (auto& n : nodes)
      BOOST_REQUIRE(n->wait_ready());
    BOOST_REQUIRE_MESSAGE(wait_balanced(all(), 4, 30s),
                          "the nodes share the partitions and link\n"
                            << ownership_report(all()) << log(0) << log(1) << log(2));
  }

  std::vector<server*> all() const {
    std::vector<server*> out;
    for (auto& n : nodes)
      out.push_back(n.get());
    return out;
  }

  /// The node the group gave an account's partition.
  size_t owner_of(int64_t id) {
    auto i = owner_index(all(), id);
    BOOST_REQUIRE(i >= 0);
    return static_cast<size_t>(i);
  }

  /// After a failure (or always, with LB_TEST_SHOW_LOGS set), the node
  /// logs that a removed folder would lose.
  ~cluster_on_hosts() {
    namespace ut = boost::unit_test;
    if (ut::results_collector.results(ut::framework::current_test_case().p_id)
          .passed()
        && std::getenv("LB_TEST_SHOW_LOGS") == nullptr)
      return;
    for (size_t i = 0; i < logs.size(); ++i)
      if (!logs[i].empty())
        std::cout << "--- node " << i << " (" << hosts[i].address << ")\n"
                  << log(i);
  }

  httplib::Client client(size_t i) {
    return nodes[i]->client();
  }

  int64_t metric(size_t i, const std::string& name) {
    return metric_of(*nodes[i], name);
  }

  std::string log(size_t i) const {
    return logs[i].empty() ? std::string{} : read_file(logs[i]);
  }
};

/// Creates accounts through node 0, each with 1 to 3 events, until every
/// node owns at least two; the events written per account.
std::map<int64_t, int64_t> write_through_first(cluster_on_hosts& c) {
  auto writer = c.client(0);
  std::map<int64_t, int64_t> written;
  std::array<int, node_count> owned{};
  for (int k = 0; k < 60 && *std::min_element(owned.begin(), owned.end()) < 2;
       ++k) {
    auto id = create_account(writer, "host-" + std::to_string(k));
    int64_t n = 1 + k % 3;
    std::string batch = "[";
    for (int64_t e = 0; e < n; ++e)
      batch += std::string{e == 0 ? "" : ","}
               + (e % 2 == 0 ? R"({"type":"login"})" : R"({"type":"view"})");
    batch += "]";
    BOOST_REQUIRE_EQUAL(post_events(writer, id, batch), 201);
    written[id] = n;
    ++owned[c.owner_of(id)];
  }
  BOOST_REQUIRE(*std::min_element(owned.begin(), owned.end()) >= 2);
  return written;
}

/// The events split over the nodes, and every node answers alike: the
/// same listing of accounts, and for every account the same events and
/// the same counts, which are the ones written.
void check_split_and_alike(cluster_on_hosts& c,
                           const std::map<int64_t, int64_t>& written) {
  // Each node indexed exactly the events of the accounts it owns.
  for (size_t n = 0; n < node_count; ++n) {
    int64_t own = 0;
    for (auto& [id, events] : written)
      own += c.owner_of(id) == n ? events : 0;
    BOOST_TEST(own > 0);
    BOOST_TEST(wait_until([&] {
      return c.metric(n, "logbase_events_indexed") == own;
    }, 10s), "node " << n << " indexed " << c.metric(n, "logbase_events_indexed")
                     << " events, not " << own);
  }
  std::array<httplib::Client, node_count> readers{c.client(0), c.client(1),
                                                  c.client(2)};
  auto listing = get_ok(readers[0], "/accounts?limit=1000");
  for (auto& [id, events] : written)
    BOOST_TEST(count_of(listing, "\"id\":" + std::to_string(id) + ",") == 1u);
  for (size_t n = 1; n < node_count; ++n)
    BOOST_TEST(get_ok(readers[n], "/accounts?limit=1000") == listing,
               "node " << n << "'s listing");
  for (auto& [id, events] : written) {
    auto path = "/accounts/" + std::to_string(id);
    auto counts = get_ok(readers[0], path + "/statistics");
    auto listed = get_ok(readers[0], path + "/events");
    BOOST_TEST(sum_of_counts(counts) == events, path << ": " << counts);
    BOOST_TEST(count_of(listed, "\"accountId\":" + std::to_string(id) + ",")
               == static_cast<size_t>(events), path << ": " << listed);
    for (size_t n = 1; n < node_count; ++n) {
      BOOST_TEST(get_ok(readers[n], path + "/statistics") == counts,
                 "node " << n << ", " << path);
      BOOST_TEST(get_ok(readers[n], path + "/events") == listed,
                 "node " << n << ", " << path);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(hosts_test, *boost::unit_test::fixture<hosts_and_broker>())

// Plain links, which the README keeps for one host: here they show the
// routing between hosts alone.
BOOST_AUTO_TEST_CASE(three_hosts_split_the_accounts_and_answer_alike) {
  cluster_on_hosts c{{{}, {}, {}}};
  check_split_and_alike(c, write_through_first(c));
}

BOOST_AUTO_TEST_CASE(three_hosts_over_mutual_tls_refuse_a_fourth_without_the_ca) {
  pki keys;
  for (auto name : {"a", "b", "c"})
    keys.node(name);
  // The intruder trusts the real CA too (a CA certificate is no secret):
  // only its own certificate lacks the CA's signature.
  keys.rogue("intruder");
  keys.bundle("intruder-trust.pem", {"intruder.pem", "ca.pem"});
  cluster_on_hosts c{{keys.flags("a"), keys.flags("b"), keys.flags("c")},
                     &keys};
  for (size_t i = 0; i < node_count; ++i)
    BOOST_TEST(count_of(c.log(i), "over mutual TLS") == 1u, c.log(i));
  auto written = write_through_first(c);
  check_split_and_alike(c, written);

  // On the fourth host, an intruder that knows the nodes' addresses dials
  // the three. It runs under an app id of its own, so that it writes none
  // of the cluster's statistics, and learns the addresses from that app
  // id's members topic, where the test wrote them under names that sort
  // after its own (the smaller name dials).
  auto& hosts = shared().hosts;
  deployment intruding = c.d;
  intruding.app_id = unique_name("intruder");
  auto intruder_log = keys.path("intruder.log");
  std::vector<std::string> args{
    "--node-address=" + hosts[3].address + ":"
      + std::to_string(hosts.port(peer_port)),
    "--node-name=intruder", "--log-level=info"};
  for (auto& f : keys.flags("intruder", "intruder-trust.pem"))
    args.push_back(f);
  server intruder{intruding, args, true, hosts.port(http_port), intruder_log,
                  hosts[3]};
  {
    // The test's producer talks to this suite's broker.
    auto* before = std::getenv("LB_TEST_BOOTSTRAP");
    std::string saved = before != nullptr ? before : "";
    setenv("LB_TEST_BOOTSTRAP", shared().broker.address().c_str(), 1);
    for (size_t i = 0; i < node_count; ++i) {
      auto name = "n" + std::to_string(i);
      produce(intruding.app_id + ".members", name,
              encode_member(member_record{name, c.peers[i], {}, 1}));
    }
    if (before != nullptr)
      setenv("LB_TEST_BOOTSTRAP", saved.c_str(), 1);
    else
      unsetenv("LB_TEST_BOOTSTRAP");
  }
  auto from = "refused the node link from " + hosts.source_of(3) + ":";
  for (size_t i = 0; i < node_count; ++i) {
    BOOST_TEST(wait_until([&] { return count_of(c.log(i), from) >= 1; }, 20s),
               "node " << i << ":\n" << c.log(i));
    BOOST_TEST(c.metric(i, "logbase_node_links_refused_total") >= 1);
    BOOST_TEST(c.metric(i, "logbase_peers_connected") == int64_t{node_count - 1});
  }
  BOOST_TEST(wait_until([&] {
    return count_of(read_file(intruder_log),
                    "was refused by the other end (unknown CA)") >= 1;
  }, 5s), read_file(intruder_log));
  BOOST_TEST(metric_of(intruder, "logbase_peers_connected") == 0);
  // And the cluster goes on as before.
  check_split_and_alike(c, written);
}

// The owner of some partitions loses its network: the group gives them to
// the others, and when the link comes back the old owner neither serves nor
// commits what it held (it stopped serving at 3/4 of its session timeout, and
// its changelog transactions are fenced by the group's generation).
BOOST_AUTO_TEST_CASE(a_node_cut_off_serves_nothing_stale_when_it_is_back) {
  auto& hosts = shared().hosts;
  if (!hosts.isolated()) {
    std::cout << "hosts_test: NOT RUN: a network cut needs network namespaces "
                 "(the loopback fallback cannot be cut)" << std::endl;
    BOOST_TEST(!hosts.cut(2));
    return;
  }
  pki logs_only; // for the nodes' log files; the links stay plain
  cluster_on_hosts c{{{}, {}, {}}, &logs_only};
  auto written = write_through_first(c);
  int64_t victim = 0;
  for (auto& [id, n] : written)
    if (c.owner_of(id) == 2)
      victim = id;
  BOOST_REQUIRE(victim != 0);
  auto path = "/accounts/" + std::to_string(victim) + "/statistics";
  auto before = written[victim];

  BOOST_REQUIRE(hosts.cut(2));
  auto cut_at = std::chrono::steady_clock::now();
  auto c0 = c.client(0);
  // The survivors take it over once node 2's session ends.
  BOOST_TEST(wait_until([&] {
    auto r = c0.Get(path);
    return r && r->status == 200;
  }, 40s, 100ms), c.log(0));
  std::cout << "hosts_test: partitions of the cut node served again after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - cut_at).count()
            << " ms" << std::endl;
  BOOST_TEST(sum_of_counts(get_ok(c0, path)) == before);
  BOOST_REQUIRE_EQUAL(post_events(c0, victim, R"([{"type":"after"},)"
                                              R"({"type":"after"}])"), 201);
  written[victim] += 2;

  BOOST_REQUIRE(hosts.mend(2));
  // Back: whatever node 2 answers for the account is the new count or a
  // 503, never what it held before the cut.
  auto c2 = c.client(2);
  auto mended_at = std::chrono::steady_clock::now();
  int fresh = 0;
  wait_until([&] {
    auto r = c2.Get(path);
    if (!r)
      return false;
    if (r->status == 200) {
      BOOST_TEST(sum_of_counts(r->body) == written[victim], r->body);
      ++fresh;
    } else {
      BOOST_TEST(r->status == 503, r->body);
    }
    return fresh >= 3;
  }, 120s, 100ms);
  BOOST_TEST(fresh >= 3, c.log(2));
  std::cout << "hosts_test: the mended node answered the new count "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - mended_at).count()
            << " ms after the mend" << std::endl;
  BOOST_TEST(count_of(c.log(2), "no answer from the group coordinator") >= 1u,
             c.log(2));
  BOOST_REQUIRE_MESSAGE(wait_balanced(c.all(), 4, 120s),
                        ownership_report(c.all()));
  check_split_and_alike(c, written);
}

BOOST_AUTO_TEST_SUITE_END()
