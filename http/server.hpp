#pragma once

/// The HTTP server: httplib on an elastic pool of worker threads (one per
/// open connection), the route table, body and connection limits, and the
/// JSON shape of every error. Handlers hand requests to the front actor.

#include <memory>
#include <thread>

#include <httplib.h>

#include "http/connection.hpp"
#include "http/gate.hpp"
#include "http/handlers.hpp"

namespace logbase {

class server {
public:
  /// Throws std::invalid_argument when the tokens file cannot be read.
  server(caf::actor_system& sys, const config& cfg, http_front_actor front);

  ~server();

  /// Binds and serves on a thread of its own; false if the port is taken.
  bool start(const std::string& host, uint16_t port);

  /// Ends the streams, stops accepting, finishes requests, joins workers.
  void stop();

  /// Tokens and their roles, for the start-up line and SIGHUP.
  gate& door() {
    return gate_;
  }

private:
  gate gate_;
  handlers handlers_;
  connection_server server_;
  int listen_socket_ = -1;
  std::thread thread_;
};

} // namespace logbase
