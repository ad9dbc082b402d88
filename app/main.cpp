// logbase: read the config, make sure the topics are right, spawn the actors,
// serve HTTP, and on SIGINT/SIGTERM stop in order (HTTP first, Kafka last).

#include <sys/resource.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>

#include "src/access.hpp"
#include "actors/account_table.hpp"
#include "src/config.hpp"
#include "actors/event_log.hpp"
#include "actors/http_front.hpp"
#include "messages/interfaces.hpp"
#include "kafka/kafka_admin.hpp"
#include "kafka/kafka_bridge.hpp"
#include "src/log.hpp"
#include "app/maintenance_main.hpp"
#include "actors/node.hpp"
#include "actors/node_tls.hpp"
#include "http/server.hpp"
#include "actors/stats.hpp"

extern char** environ;

/// jemalloc's settings (meson.build links it into the server; MALLOC_CONF
/// in the environment still wins). Two arenas instead of four per core,
/// and no transparent huge pages, keep its memory near glibc's: RSS after
/// 2M events ingested 104 MiB, against 131 with its defaults and 96 with
/// glibc's malloc (26 / 20 MiB at start); batch ingest as fast.
extern "C" const char* malloc_conf;
const char* malloc_conf = "narenas:2,thp:never";

using namespace logbase;

namespace {

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv{*e};
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

/// Every open connection and stream is a socket: a node holding thousands
/// needs more than the usual soft limit of 1024 descriptors.
void raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max)
    return;
  auto before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
    log(log_level::info, "main", "open-file limit raised from ", before,
        " to ", lim.rlim_cur);
}

int run(const config& cfg) {
  // Signals go to sigwait below, never to a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  raise_open_file_limit();
  topic_layout layout;
  node_tls_files tls_files;
  try {
    if (cfg.node_tls())
      tls_files = load_node_tls(cfg); // before Kafka: a quick answer
    layout = ensure_topics(cfg);
  } catch (const std::exception& e) {
    log(log_level::error, "main", "cannot start: ", e.what());
    return 1;
  }

  caf::actor_system_config sys_cfg;
  register_message_types(sys_cfg);
  if (cfg.linked()) {
    sys_cfg.load<caf::io::middleman>();
    // A peer's message is deserialized on the I/O thread that read it, not
    // handed to a BASP worker: that hand-off is one more scheduler wake-up
    // on each leg of a routed request.
    sys_cfg.set("middleman.workers", size_t{0});
    if (cfg.node_tls())
      use_node_tls(sys_cfg, tls_files);
  } else if (cfg.node_tls()) {
    log(log_level::info, "main", "node-tls-* set, but without node-address "
        "this node has no node links");
  }
  // One shared queue whose workers sleep on a condition variable: the
  // work-stealing default polls and naps in 50 us steps, which on two cores
  // costs more CPU than the actors' work (measured per request: see README).
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  sys_cfg.set("scheduler.max-threads", cfg.actor_threads);
  caf::actor_system sys{sys_cfg};

  kafka_bridge_actor bridge;
  try {
    bridge = spawn_kafka_bridge(sys, cfg, layout);
  } catch (const std::exception& e) {
    log(log_level::error, "main", "cannot start: ", e.what());
    return 1;
  }
  auto events = sys.spawn(event_log, cfg, layout, bridge);
  auto statistics = sys.spawn(stats, cfg, layout, bridge);
  std::vector<account_listener_actor> listeners{events, statistics};
  auto accounts = sys.spawn(account_table, cfg, layout, bridge, events,
                            statistics, listeners);

  store_actors local{accounts, events, statistics};
  auto this_node = sys.spawn(node, cfg, layout.of(topic::events), bridge,
                            local);
  http_front_actor front;
  auto stop_actors = [&] {
    for (auto& a : {caf::actor_cast<caf::actor>(front),
                    caf::actor_cast<caf::actor>(this_node),
                    caf::actor_cast<caf::actor>(accounts),
                    caf::actor_cast<caf::actor>(events),
                    caf::actor_cast<caf::actor>(statistics)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    // Last: the bridge flushes the producer and closes its consumers.
    caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
  };
  if (cfg.linked()) {
    auto self_address = parse_node_address(cfg.node_address);
    auto bound = cfg.node_tls()
                   ? caf::openssl::publish(this_node, self_address.port,
                                           self_address.host.c_str(), true)
                   : sys.middleman().publish(this_node, self_address.port,
                                             self_address.host.c_str(), true);
    if (!bound) {
      log(log_level::error, "main", "cannot listen for peers on ",
          self_address.host, ":", self_address.port, ": ",
          sys.render(bound.error()));
      stop_actors();
      return 1;
    }
    log(log_level::info, "main", "node ", cfg.name_of_node(),
        ", peers reach it on ", self_address.host, ":", *bound,
        cfg.node_tls() ? " over mutual TLS (certificates signed by "
                           + cfg.node_tls_ca + ")"
                       : std::string{" over plain TCP (no node-tls-*: for "
                                     "nodes on one host only)"});
  }
  front = sys.spawn(http_front, cfg, local,
                    cfg.linked() ? this_node : node_actor{});
  std::unique_ptr<server> http_server;
  try {
    http_server = std::make_unique<server>(sys, cfg, front);
  } catch (const std::exception& e) {
    log(log_level::error, "main", "cannot start: ", e.what());
    stop_actors();
    return 1;
  }
  auto& http = *http_server;
  if (!http.start(cfg.http_host, cfg.http_port)) {
    log(log_level::error, "main", "cannot listen on ", cfg.http_host, ":",
        cfg.http_port, " (in use?)");
    stop_actors();
    return 1;
  }
  log(log_level::info, "main", "serving on ", cfg.tls() ? "https" : "http",
      "://", cfg.http_host, ":", cfg.http_port, " (Kafka ",
      cfg.bootstrap_servers, ", app id ", cfg.app_id, ", node ",
      cfg.name_of_node(), "), ",
      http.door().guarded()
        ? std::to_string(http.door().tokens()) + " tokens from "
            + cfg.auth_tokens_file + " (re-read on SIGHUP)"
        : std::string{"OPEN: no auth-tokens-file, whoever reaches the port "
                      "may read, change and delete every account"});

  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP)
      break;
    http.door().reload();
  }
  log(log_level::info, "main", "stopping (", sig == SIGINT ? "SIGINT" : "SIGTERM",
      ")");
  // Never a hang: librdkafka calls can block past their timeouts when the
  // broker is gone; past this grace period the process just ends.
  std::thread{[] {
    std::this_thread::sleep_for(std::chrono::seconds(20));
    log(log_level::error, "main", "shutdown took too long; exiting");
    std::_Exit(1);
  }}.detach();
  http.stop();
  stop_actors();
  return 0;
}

} // namespace

/// `logbase token ROLE [COMMENT…]`: a new token, and its line for the
/// tokens file (which holds only the token's hash).
int make_token(const std::vector<std::string>& args) {
  if (args.size() < 2 || !role_from_string(args[1])) {
    std::cerr << "usage: logbase token read|write|admin|metrics [comment]\n";
    return 2;
  }
  auto token = new_token();
  std::string comment;
  for (size_t i = 2; i < args.size(); ++i)
    comment += " " + args[i];
  std::cout << "# the token: give it to its client; it is not kept anywhere\n"
            << token << "\n"
            << "# its line for the tokens file (auth-tokens-file):\n"
            << sha256_hex(token) << " " << args[1] << comment << "\n";
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "token")
    return make_token(args);
  if (!args.empty() && (args[0] == "reset" || args[0] == "purge"))
    return run_maintenance(args[0], {args.begin() + 1, args.end()},
                           environment());
  for (auto& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << config_help();
      return 0;
    }
  config cfg;
  try {
    cfg = load_config(args, environment());
  } catch (const std::exception& e) {
    std::cerr << "logbase: " << e.what() << "\n";
    return 2;
  }
  auto status = run(cfg);
  flush_log();
  return status;
}
