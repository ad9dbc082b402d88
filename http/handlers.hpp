#pragma once

/// One function per route, verb_resource. Each reads and checks what the
/// request says (bad input is answered here, before any actor is asked),
/// hands the front actor one message and waits for exactly one answer in a
/// slot that dies with the request.

#include <atomic>
#include <chrono>

#include <httplib.h>

#include <caf/actor_system.hpp>

#include "src/config.hpp"
#include "messages/interfaces.hpp"
#include "http/sse.hpp"

namespace logbase {

class handlers {
public:
  handlers(caf::actor_system& sys, const config& cfg, http_front_actor front);

  void get_health(const httplib::Request& req, httplib::Response& res);
  void get_ready(const httplib::Request& req, httplib::Response& res);
  void get_metrics(const httplib::Request& req, httplib::Response& res);
  void get_openapi(const httplib::Request& req, httplib::Response& res);
  // The dashboard (http/ui/, compiled in): GET / and GET /ui/<file>.
  void get_ui_index(const httplib::Request& req, httplib::Response& res);
  void get_ui_file(const httplib::Request& req, httplib::Response& res);

  void get_accounts(const httplib::Request& req, httplib::Response& res);
  void post_accounts(const httplib::Request& req, httplib::Response& res);
  void get_account(const httplib::Request& req, httplib::Response& res);
  void put_account(const httplib::Request& req, httplib::Response& res);
  void patch_account(const httplib::Request& req, httplib::Response& res);
  void delete_account(const httplib::Request& req, httplib::Response& res);

  void post_account_events(const httplib::Request& req, httplib::Response& res);
  void get_account_events(const httplib::Request& req, httplib::Response& res);
  void get_account_events_stream(const httplib::Request& req,
                                 httplib::Response& res);

  void get_account_statistics(const httplib::Request& req,
                              httplib::Response& res);

  /// Ends every open stream (`event: end`) and refuses new ones.
  void end_streams();

private:
  /// Sends the front `xs…` with a fresh slot; the answer, or 503 timeout
  /// past `deadline`, or 503 overloaded when too many are in flight.
  template <class... Ts>
  front_reply ask(std::chrono::milliseconds deadline, Ts&&... xs);

  /// `ask`, and the answer written to `res`; or, on a keep-alive
  /// connection, the answer handed over to be written by the front's
  /// thread.
  template <class... Ts>
  void call(const httplib::Request& req, httplib::Response& res,
            std::chrono::milliseconds deadline, Ts&&... xs);

  /// Counts a request in flight, or the 503 overloaded beyond the bound.
  std::optional<failure> admit();

  /// Counts a request in flight no more.
  void release();

  std::chrono::milliseconds read_deadline() const;
  std::chrono::milliseconds write_deadline() const;

  config cfg_;
  http_front_actor front_;
  stream_registry streams_;
  std::atomic<int> inflight_{0};
};

} // namespace logbase
