#pragma once

/// The HTTP front: the route table, body and connection limits, and the
/// JSON shape of every error. Handlers run on httplib's worker threads.

#include <memory>
#include <thread>

#include <httplib.h>

#include "handlers.hpp"

namespace logbase {

class front {
public:
  front(caf::actor_system& sys, const config& cfg, store_actors local,
        node_actor node, int32_t events_partitions);

  ~front();

  /// Binds and serves on a thread of its own; false if the port is taken.
  bool start(const std::string& host, uint16_t port);

  /// Stops accepting, finishes requests, joins the workers.
  void stop();

private:
  handlers handlers_;
  httplib::Server server_;
  std::thread thread_;
};

} // namespace logbase
