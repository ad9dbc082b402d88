#pragma once

#include <set>

/// The HTTP front actor: HTTP workers hand it each request as one typed
/// message with a slot to answer in; it finds the node that owns the
/// account, asks that node's stores (one message per step, never a
/// blocking wait) and turns the typed answer, or the failure, into a status
/// and a JSON body. Protocols with several steps (POST /accounts: reserve
/// an id here, create it on its owner) run here as `request(...).then(...)`.
///
/// Every request has a deadline: one the owner does not answer in time is
/// answered 503 `timeout` and forgotten. The front keeps the deadlines
/// itself (`deadline_book`), checked on a tick that runs only while
/// requests are in flight.

#include <chrono>
#include <cstdint>

#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "src/config.hpp"
#include "src/deadline_book.hpp"
#include "messages/interfaces.hpp"

namespace logbase {

struct http_front_state {
  static inline const char* name = "http_front";

  using time_point = caf::actor_clock::time_point;

  enum class kind : uint8_t { read, write };

  /// This node's stores.
  store_actors local;
  /// The router to other nodes' stores; null with a single node.
  node_actor node;
  std::chrono::milliseconds read_deadline{5000};
  std::chrono::milliseconds write_deadline{25000};
  bool ticking = false;

  /// Starts tracking a request; its id for `finish`.
  uint64_t open(reply_slot slot, kind k, time_point now);

  /// Answers a request unless it was answered (or timed out) before.
  void finish(uint64_t id, front_reply reply);

  /// Answers 503 timeout to every request past its deadline; how many.
  size_t expire(time_point now);

  size_t in_flight() const {
    return slots_.size();
  }

private:
  deadline_book<reply_slot> slots_;
};

using http_front_self = http_front_actor::stateful_pointer<http_front_state>;

http_front_actor::behavior_type http_front(http_front_self self,
                                           const config& cfg,
                                           store_actors local, node_actor node);

// -- the answers, as plain functions (tested without actors) ----------------

/// A failure from any actor as the response a client gets.
response failure_response(const caf::error& err);

/// 201 with the stored event, or with all of them for a batch.
response published_response(const std::vector<event>& stored, bool batch);

/// GET /ready: 200 once everything is restored, else 503 with progress.
response ready_response(int32_t restored, int32_t total, bool answered,
                        const std::set<int32_t>& restoring = {});

} // namespace logbase
