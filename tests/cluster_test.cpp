#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "codec.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

constexpr size_t node_count = 3;

/// Three nodes of one app id on loopback, each with its own peer port.
struct cluster {
  deployment d;
  std::vector<uint16_t> peer_ports;
  std::vector<uint16_t> http_ports;
  std::vector<std::unique_ptr<server>> nodes;

  cluster() {
    for (size_t i = 0; i < node_count; ++i) {
      peer_ports.push_back(free_port());
      http_ports.push_back(free_port());
    }
    nodes.resize(node_count);
    for (size_t i = 0; i < node_count; ++i)
      start(i, false);
    for (size_t i = 0; i < node_count; ++i)
      BOOST_REQUIRE(nodes[i]->wait_ready());
    for (size_t i = 0; i < node_count; ++i)
      BOOST_REQUIRE(wait_connected(i));
  }

  void start(size_t i, bool wait = true) {
    std::string list;
    for (auto p : peer_ports)
      list += (list.empty() ? "" : ",") + std::string{"127.0.0.1:"}
              + std::to_string(p);
    nodes[i] = std::make_unique<server>(
      d,
      std::vector<std::string>{"--nodes=" + list,
                               "--node-index=" + std::to_string(i)},
      wait, http_ports[i]);
  }

  /// Waits until node i is connected to every other node.
  bool wait_connected(size_t i) {
    return wait_until([&] {
      return metric_of(*nodes[i], "logbase_peers_connected")
             == static_cast<int64_t>(node_count - 1);
    }, 10s);
  }

  httplib::Client client(size_t i) {
    return nodes[i]->client();
  }

  /// The node owning an account: its events partition modulo the nodes.
  static size_t owner_of(int64_t id) {
    return static_cast<size_t>(partition_for(encode_long_key(id), 4))
           % node_count;
  }
};


} // namespace

BOOST_AUTO_TEST_SUITE(cluster_api)

BOOST_AUTO_TEST_CASE(any_node_answers_for_any_account_and_reads_its_writes) {
  cluster cl;
  auto c0 = cl.client(0);
  std::vector<int64_t> ids;
  std::set<size_t> owners;
  for (int i = 0; i < 12; ++i) {
    auto id = create_account(c0, "acc" + std::to_string(i));
    ids.push_back(id);
    owners.insert(cluster::owner_of(id));
    // Read-your-writes on every node, right after the 201.
    for (size_t n = 0; n < node_count; ++n) {
      auto res = cl.client(n).Get("/accounts/" + std::to_string(id));
      BOOST_REQUIRE(res);
      BOOST_TEST(res->status == 200, "node " << n << " account " << id);
    }
    auto list = cl.client((i + 1) % node_count).Get("/accounts?limit=100");
    BOOST_TEST(count_of(list->body, "\"id\":" + std::to_string(id) + ",")
               == 1u);
  }
  BOOST_TEST(owners.size() == node_count); // every node owns some
  for (size_t i = 0; i < ids.size(); ++i) {
    auto path = "/accounts/" + std::to_string(ids[i]);
    auto patched = cl.client(2).Patch(path, R"({"name":"renamed"})",
                                      "application/json");
    BOOST_TEST(patched->status == 200);
    BOOST_TEST(count_of(cl.client(1).Get(path)->body, "\"version\":2") == 1u);
    for (int e = 0; e < 5; ++e) {
      auto writer = cl.client((i + e) % node_count);
      BOOST_TEST(post_events(writer, ids[i], R"({"type":"hop"})") == 201);
    }
    auto events = cl.client((i + 1) % node_count).Get(path + "/events");
    BOOST_TEST(count_of(events->body, "\"hop\"") == 5u);
    auto stats = cl.client((i + 2) % node_count).Get(path + "/statistics");
    BOOST_TEST(sum_of_counts(stats->body) == 5);
  }
  // Each node indexed only its own partitions: together, every event once.
  int64_t indexed = 0;
  for (size_t n = 0; n < node_count; ++n) {
    auto here = metric(cl.client(n).Get("/metrics")->body,
                       "logbase_events_indexed");
    BOOST_TEST(here < 60);
    indexed += here;
  }
  BOOST_TEST(indexed == 60);
  // A retry on any node answers as the first attempt did, once written:
  // the key lives with the account's owner (and in its records).
  auto keyed = [&](size_t n) {
    return cl.client(n).Post("/accounts/" + std::to_string(ids[0]) + "/events",
                             httplib::Headers{{"Idempotency-Key", "c-1"}},
                             R"([{"type":"once"}])", "application/json");
  };
  auto first = keyed(cluster::owner_of(ids[0]) == 0 ? 1 : 0);
  BOOST_REQUIRE(first);
  BOOST_TEST(first->status == 201);
  for (size_t n = 0; n < node_count; ++n)
    BOOST_TEST(keyed(n)->body == first->body, "node " << n);
  auto events = cl.client(2).Get("/accounts/" + std::to_string(ids[0])
                                 + "/events");
  BOOST_TEST(count_of(events->body, "\"once\"") == 1u);
}

BOOST_AUTO_TEST_CASE(streams_reach_readers_on_other_nodes) {
  cluster cl;
  auto first = cl.client(0);
  auto id = create_account(first, "streamed");
  auto reader_node = (cluster::owner_of(id) + 1) % node_count;
  auto writer_node = (cluster::owner_of(id) + 2) % node_count;
  httplib::Client reader{"127.0.0.1", static_cast<int>(cl.http_ports[reader_node])};
  std::string text;
  std::mutex mtx;
  std::atomic<bool> stop{false};
  std::thread t{[&] {
    reader.Get("/accounts/" + std::to_string(id) + "/events/stream",
               [&](const char* data, size_t n) {
                 std::lock_guard<std::mutex> guard{mtx};
                 text.append(data, n);
                 return !stop;
               });
  }};
  auto seen = [&](const std::string& needle) {
    return wait_until([&] {
      std::lock_guard<std::mutex> guard{mtx};
      return text.find(needle) != std::string::npos;
    }, 2s, 20ms);
  };
  BOOST_REQUIRE(seen(": connected"));
  std::this_thread::sleep_for(200ms); // the join travels to the owner
  auto writer = cl.client(writer_node);
  BOOST_TEST(post_events(writer, id, R"({"type":"far"})") == 201);
  BOOST_TEST(seen("\"far\""));
  stop = true;
  reader.stop();
  t.join();
}

BOOST_AUTO_TEST_CASE(a_lost_node_costs_only_its_own_accounts) {
  cluster cl;
  auto c0 = cl.client(0);
  std::vector<int64_t> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(create_account(c0, "acc" + std::to_string(i)));
    BOOST_TEST(post_events(c0, ids.back(), R"([{"type":"a"},{"type":"b"}])")
               == 201);
  }
  cl.nodes[2]->kill9();
  wait_until([&] {
    return metric_of(*cl.nodes[0], "logbase_peers_connected") == 1;
  }, 5s);
  for (auto id : ids) {
    auto res = c0.Get("/accounts/" + std::to_string(id) + "/statistics");
    BOOST_REQUIRE(res);
    if (cluster::owner_of(id) == 2) {
      BOOST_TEST(res->status == 503);
      BOOST_TEST(res->has_header("Retry-After"));
      BOOST_TEST(error_code_of(res->body) == "peer_unavailable");
    } else {
      BOOST_TEST(res->status == 200);
      BOOST_TEST(sum_of_counts(res->body) == 2);
    }
  }
  // Back again: its accounts answer, their counts restored exactly.
  cl.start(2);
  BOOST_REQUIRE(cl.wait_connected(0));
  for (auto id : ids) {
    auto res = c0.Get("/accounts/" + std::to_string(id) + "/statistics");
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 200);
    BOOST_TEST(sum_of_counts(res->body) == 2);
  }
}

BOOST_AUTO_TEST_SUITE_END()
