#pragma once

/// One function per route, verb_resource: each translates a request into
/// typed messages to the actors and their answers into a response.

#include <chrono>

#include <httplib.h>

#include <caf/actor_system.hpp>

#include "config.hpp"
#include "expected.hpp"
#include "interfaces.hpp"

namespace logbase {

class handlers {
public:
  /// `local`: this node's stores; `node`: the router to the owner of an
  /// account when there are several nodes.
  handlers(caf::actor_system& sys, config cfg, store_actors local,
           node_actor node, int32_t events_partitions);

  void get_health(const httplib::Request& req, httplib::Response& res);
  void get_ready(const httplib::Request& req, httplib::Response& res);
  void get_metrics(const httplib::Request& req, httplib::Response& res);

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

private:
  std::chrono::milliseconds write_deadline() const;

  /// The store actors of the node that owns an account.
  expected<store_actors> route(int64_t account_id);

  caf::actor_system& sys_;
  config cfg_;
  store_actors actors_;
  node_actor node_;
  int32_t events_partitions_;
};

} // namespace logbase
