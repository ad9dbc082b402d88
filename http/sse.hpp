#pragma once

/// Server-Sent Events for `GET /accounts/{id}/events/stream`: the HTTP
/// worker thread becomes a stream reader actor, joins the account's
/// key_consumer through the event log, writes what it receives and acks it.

#include <caf/actor_system.hpp>
#include <httplib.h>

#include "interfaces.hpp"

namespace logbase {

/// Most past events a stream replays before going live.
constexpr int64_t max_replay_events = 10'000;

/// Seconds between keep-alive comments (they also notice a gone client).
constexpr int sse_keepalive_seconds = 1;

/// Streams at most `max_streams` at once (each holds an HTTP worker
/// thread); false, with nothing written, when that many are open.
bool serve_event_stream(caf::actor_system& sys, event_log_actor log,
                        event_query q, httplib::Response& res,
                        int max_streams);

} // namespace logbase
