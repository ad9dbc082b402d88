#pragma once

// The deterministic actor tests' set-up: CAF's test coordinator runs the
// real front, account table, event log and statistics actors one message
// at a time, on a fake Kafka bridge (fake_bridge.hpp).

#include <map>
#include <memory>
#include <set>

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/account_table.hpp"
#include "src/codec.hpp"
#include "actors/event_log.hpp"
#include "fake_bridge.hpp"
#include "actors/http_front.hpp"
#include "src/log.hpp"
#include "actors/stats.hpp"
#include "src/time.hpp"

namespace logbase::test {

/// A node's stores that never answer anything.
inline caf::behavior black_hole(caf::event_based_actor* self) {
  self->set_default_handler(
    [](caf::scheduled_actor* s, caf::message_view&) -> caf::result<caf::message> {
      return s->make_response_promise(); // never delivered
    });
  return {[](int) {}};
}

/// Routes even account ids to `even`, odd ones to `odd`.
inline node_actor::behavior_type
fake_router(node_actor::pointer, store_actors even, store_actors odd) {
  return {
    [=](get_atom) -> caf::result<account_table_actor, event_log_actor,
                                 stats_actor> {
      return {even.accounts, even.events, even.stats};
    },
    [=](hello_atom, const std::string&)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      return {even.accounts, even.events, even.stats};
    },
    [=](route_atom, int64_t id)
      -> caf::result<account_table_actor, event_log_actor, stats_actor> {
      auto& s = id % 2 == 0 ? even : odd;
      return {s.accounts, s.events, s.stats};
    },
    [=](peer_atom) {
      // nop
    },
    [=](assign_atom, const std::vector<int32_t>&) {
      // nop
    },
    [=](revoke_atom, const std::vector<int32_t>&) { return ok_atom::value; },
    [=](records_atom, const record_batch&) {
      // nop
    },
    [=](error_atom, const std::string&) {
      // nop
    },
  };
}

inline caf::actor_system_config& test_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  register_message_types(cfg);
  return cfg;
}

/// One node's stores on a fake Kafka of their own.
struct node_stores {
  std::shared_ptr<fake_kafka> kafka = std::make_shared<fake_kafka>();
  kafka_bridge_actor bridge;
  store_actors stores;

  /// `shared`: the fake Kafka of another node (one cluster), else its own.
  node_stores(caf::actor_system& sys, const config& cfg,
              const topic_layout& layout,
              std::shared_ptr<fake_kafka> shared = nullptr) {
    if (shared)
      kafka = std::move(shared);
    kafka->layout = layout;
    bridge = sys.spawn(fake_bridge, kafka);
    auto events = sys.spawn(event_log, cfg, layout, bridge);
    auto counts = sys.spawn(stats, cfg, layout, bridge);
    std::vector<account_listener_actor> listeners{events, counts};
    auto accounts = sys.spawn(account_table, cfg, layout, bridge, events,
                              counts, listeners);
    stores = store_actors{accounts, events, counts};
    // As the consumer group would: this one node owns every partition.
    std::vector<int32_t> all;
    for (int32_t p = 0; p < layout.of(topic::events); ++p)
      all.push_back(p);
    for (auto& owner : {caf::actor_cast<partition_owner_actor>(accounts),
                        caf::actor_cast<partition_owner_actor>(events),
                        caf::actor_cast<partition_owner_actor>(counts)})
      caf::anon_send(owner, own_atom::value, all, std::vector<int32_t>{});
  }
};

/// The answer in `slot`, which must be there already.
inline front_reply answer(const reply_slot& slot) {
  auto r = slot->wait_until(std::chrono::steady_clock::now());
  BOOST_REQUIRE(r.has_value());
  return std::move(*r);
}

/// (Without taking the answer: waiting past a deadline abandons a slot.)
inline bool answered(const reply_slot& slot) {
  return slot->settled();
}

struct fixture {
  caf::actor_system_config sys_cfg;
  caf::actor_system sys{test_config(sys_cfg)};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  config cfg;
  topic_layout layout;

  fixture() {
    set_min_log_level("warn");
    layout.partitions = {10, 4, 1, 4};
  }

  ~fixture() {
    sys.clock().cancel_all();
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  std::vector<caf::actor> spawned;

  template <class Handle>
  Handle keep(Handle h) {
    spawned.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  void keep(const node_stores& n) {
    keep(n.bridge);
    keep(n.stores.accounts);
    keep(n.stores.events);
    keep(n.stores.stats);
  }

  http_front_actor front_of(const store_actors& local, node_actor router = {}) {
    return keep(sys.spawn(http_front, cfg, local, router));
  }

  /// A front on one node's stores, kept and started.
  http_front_actor front_on(const node_stores& node) {
    keep(node);
    auto front = front_of(node.stores);
    sched.run();
    return front;
  }

  /// Creates an account through the front (a PUT that must answer 201).
  void create_account(const http_front_actor& front, int64_t id,
                      const std::string& name) {
    auto slot = send(front, put_atom::value, id, name, int64_t{0});
    BOOST_REQUIRE(answered(slot));
    BOOST_REQUIRE_EQUAL(slot->wait_until(std::chrono::steady_clock::now())
                          ->reply.status,
                        201);
  }

  /// Sends the front a request and runs every actor until all is quiet.
  template <class... Ts>
  reply_slot send(const http_front_actor& front, Ts&&... xs) {
    auto slot = std::make_shared<one_shot<front_reply>>();
    caf::anon_send(front, std::forward<Ts>(xs)..., slot);
    sched.run();
    return slot;
  }
};

inline std::vector<event> one_event(int64_t account, const std::string& type) {
  return {event{account, type, now_ns(), -1}};
}

} // namespace logbase::test
