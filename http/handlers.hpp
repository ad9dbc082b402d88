#pragma once

/// One function per route, verb_resource: each translates a request into
/// typed messages to the actors and their answers into a response.

#include <chrono>

#include <httplib.h>

#include <caf/actor_system.hpp>

#include "config.hpp"
#include "interfaces.hpp"

namespace logbase {

/// The actors a node's HTTP front talks to.
struct node_actors {
  account_table_actor accounts;
  event_log_actor events;
  stats_actor stats;
};

class handlers {
public:
  handlers(caf::actor_system& sys, config cfg, node_actors actors,
           int32_t events_partitions);

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

  caf::actor_system& sys_;
  config cfg_;
  node_actors actors_;
  int32_t events_partitions_;
};

} // namespace logbase
