#pragma once

// The cluster suite's fixture: nodes of one app id on loopback, and a
// writer that loads them while nodes die or join (cluster_test.cpp).

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

namespace logbase::test::cluster_fixture {

using namespace std::chrono_literals;

inline constexpr size_t node_count = 3;
inline constexpr int32_t partitions = 4;

/// Nodes of one app id on loopback, each with its own peer port and name.
struct cluster {
  deployment d;
  std::vector<uint16_t> peer_ports;
  std::vector<uint16_t> http_ports;
  std::vector<std::unique_ptr<server>> nodes;
  std::vector<std::string> flags; ///< every node's, beside its own

  explicit cluster(size_t started = node_count,
                   std::vector<std::string> node_flags = {})
    : flags(std::move(node_flags)) {
    for (size_t i = 0; i < node_count; ++i) {
      peer_ports.push_back(free_port());
      http_ports.push_back(free_port());
    }
    nodes.resize(node_count);
    for (size_t i = 0; i < started; ++i)
      start(i);
    BOOST_REQUIRE(balanced());
  }

  void start(size_t i) {
    std::vector<std::string> args{"--node-address=127.0.0.1:"
                                    + std::to_string(peer_ports[i]),
                                  "--node-name=n" + std::to_string(i)};
    args.insert(args.end(), flags.begin(), flags.end());
    // Each node's log in a file of its own when asked (LB_TEST_NODE_LOGS:
    // a directory), to follow one node through a failed run.
    const char* dir = std::getenv("LB_TEST_NODE_LOGS");
    auto log = dir ? std::string{dir} + "/n" + std::to_string(i) + ".log"
                   : std::string{};
    nodes[i] = std::make_unique<server>(d, args, false, http_ports[i], log);
  }

  std::vector<server*> running() {
    std::vector<server*> out;
    for (auto& n : nodes)
      if (n && n->running())
        out.push_back(n.get());
    return out;
  }

  /// Every running node ready, each partition owned once, all routable.
  bool settled(std::chrono::milliseconds timeout = 60s) {
    return reported(wait_settled(running(), partitions, timeout));
  }

  /// Settled with a share for every running node (see wait_balanced).
  bool balanced(std::chrono::milliseconds timeout = 60s) {
    return reported(wait_balanced(running(), partitions, timeout));
  }

  /// A failed wait prints where each node stands.
  bool reported(bool done) {
    if (!done)
      std::cout << "cluster_test: not settled:\n" << ownership_report(running());
    return done;
  }

  httplib::Client client(size_t i) {
    return nodes[i]->client();
  }

  /// The node owning an account now.
  int owner_of(int64_t id) {
    std::vector<server*> all;
    for (auto& n : nodes)
      all.push_back(n.get());
    return owner_index(all, id, partitions);
  }
};

struct answer {
  int status = 0; ///< 0: no answer
  std::string body;
};

/// GET statistics of `id` through `c` until it answers other than 503;
/// every 503 must carry Retry-After. The final answer.
inline answer stats_after_moving(httplib::Client& c, int64_t id,
                          std::chrono::milliseconds timeout,
                          int* refusals = nullptr) {
  answer out;
  wait_until([&] {
    auto res = c.Get("/accounts/" + std::to_string(id) + "/statistics");
    out = res ? answer{res->status, res->body} : answer{};
    if (res && res->status == 503) {
      BOOST_TEST(res->has_header("Retry-After"));
      if (refusals != nullptr)
        ++*refusals;
      return false;
    }
    return true;
  }, timeout, 100ms);
  return out;
}

/// One client writing one event at a time through node 0, round the
/// accounts, until finished. A 503 may have landed all the same (the
/// client cannot know): in the end each count lies between the
/// acknowledged POSTs and those plus the refused ones, on every node, and
/// equals the events listed there (counted once).
struct load_writer {
  cluster& cl;
  std::vector<int64_t> ids;
  std::atomic<bool> stop{false};
  std::atomic<int> other_errors{0};
  std::atomic<int64_t> refusals{0};
  std::vector<std::atomic<int64_t>> acknowledged;
  std::vector<std::atomic<int64_t>> refused;
  std::thread thread;

  load_writer(cluster& c, std::vector<int64_t> accounts)
    : cl(c), ids(std::move(accounts)), acknowledged(ids.size()),
      refused(ids.size()) {
    thread = std::thread{[this] {
      auto client = cl.client(0);
      for (size_t k = 0; !stop; ++k) {
        auto i = k % ids.size();
        auto status = post_events(client, ids[i], R"({"type":"load"})");
        if (status == 201) {
          ++acknowledged[i];
        } else if (status == 503) {
          ++refused[i];
          ++refusals;
        } else {
          ++other_errors;
        }
      }
    }};
  }

  ~load_writer() {
    finish();
  }

  void finish() {
    stop = true;
    if (thread.joinable())
      thread.join();
  }

  int64_t total() const {
    int64_t n = 0;
    for (auto& a : acknowledged)
      n += a;
    return n;
  }

  void check_counts() {
    finish();
    BOOST_TEST(other_errors == 0);
    for (size_t i = 0; i < ids.size(); ++i)
      for (size_t n = 0; n < node_count; ++n) {
        auto c = cl.client(n);
        auto r = stats_after_moving(c, ids[i], 10s);
        BOOST_TEST(r.status == 200);
        auto counted = sum_of_counts(r.body);
        BOOST_TEST(counted >= acknowledged[i], "account " << ids[i]);
        BOOST_TEST(counted <= acknowledged[i] + refused[i],
                   "account " << ids[i]);
        auto events = get_ok(c, "/accounts/" + std::to_string(ids[i])
                                  + "/events?limit=10000");
        BOOST_TEST(static_cast<int64_t>(count_of(events, "\"load\""))
                     == counted,
                   "account " << ids[i] << " on node " << n);
      }
  }
};

} // namespace logbase::test::cluster_fixture
