#pragma once

/// Server-Sent Events for `GET /accounts/{id}/events/stream`. The HTTP
/// worker holding the connection becomes the stream's reader: it joins the
/// account's account_stream through the owner's event log, writes what it
/// receives and acks it. The registry bounds how many are open and ends
/// them all (`event: end`) when the server stops.

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <httplib.h>

#include "src/errors.hpp"
#include "messages/interfaces.hpp"

namespace logbase {

/// Most past events a stream replays before going live.
constexpr int64_t max_replay_events = 10'000;

/// Seconds between keep-alive comments (they also notice a gone client).
constexpr int sse_keepalive_seconds = 1;

class stream_registry {
public:
  stream_registry(caf::actor_system& sys, int max_streams);

  /// 503 too_many_streams when no stream may open now.
  std::optional<failure> refusal() const;

  /// Makes `res` the stream; a refusal when it may not open after all.
  std::optional<failure> serve(event_log_actor log, event_query q,
                               httplib::Response& res);

  /// Ends every open stream with `reason` and refuses new ones.
  void end_all(const std::string& reason);

  // -- for the sessions --------------------------------------------------------

  /// Registers an open reader; false when the registry is ending streams.
  bool add(const caf::actor& reader);
  void remove(const caf::actor& reader);
  void closed();
  const std::string& end_reason() const {
    return end_reason_;
  }

private:
  failure too_many() const;

  caf::actor_system& sys_;
  int max_streams_;
  std::atomic<int> open_{0};
  std::atomic<bool> ending_{false};
  std::mutex mtx_;
  std::set<caf::actor> readers_;
  std::string end_reason_;
};

} // namespace logbase
