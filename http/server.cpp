#include "http/server.hpp"

#include "src/request_limits.hpp"

#include <sys/socket.h>

#include <regex>
#include <utility>
#include <vector>

#include "http/connection.hpp"
#include "src/json.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "http/reply.hpp"
#include "http/request_id.hpp"
#include "http/thread_pool.hpp"

namespace logbase {

namespace {

/// Pending connections the kernel holds while all are being accepted;
/// httplib listens with 5, so bursts of new clients would retry after 1 s.
constexpr int listen_backlog = 4096;

/// Requests one connection may send before httplib closes it (its
/// default, 5, makes clients reconnect all the time).
constexpr size_t requests_per_connection = 1'000'000;

/// The request's id, set on its answer.
std::string identify(const httplib::Request& req, httplib::Response& res) {
  auto given = req.get_header_value("X-Request-Id");
  auto id = safe_request_id(given) ? given : new_request_id();
  set_answer_header(res, "X-Request-Id", id);
  return id;
}

} // namespace

server::server(caf::actor_system& sys, const config& cfg,
               http_front_actor front)
  : gate_(cfg), handlers_(sys, cfg, std::move(front)) {
  auto& s = server_;
  // Without it every small response waits ~40 ms for Nagle's algorithm.
  s.set_tcp_nodelay(true);
  auto min_threads = static_cast<size_t>(cfg.http_threads);
  auto max_threads = static_cast<size_t>(cfg.http_max_threads);
  s.new_task_queue = [=] { return new elastic_pool(min_threads, max_threads); };
  s.set_socket_options([this](int sock) {
    listen_socket_ = sock;
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_payload_max_length(max_body_bytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_timeout(cfg.http_keep_alive_seconds);
  s.set_keep_alive_max_count(requests_per_connection);
  s.set_request_timeout(std::chrono::milliseconds{cfg.http_request_timeout_ms});
  if (cfg.tls())
    s.use_tls(std::make_unique<tls_context>(cfg.tls_cert, cfg.tls_key));

  auto bind = [this](void (handlers::*fn)(const httplib::Request&,
                                          httplib::Response&)) {
    return [this, fn](const httplib::Request& req, httplib::Response& res) {
      auto conn = current_connection();
      if (conn)
        conn->request_arrived();
      // Lines logged while this thread serves it name the request.
      set_log_request_id(identify(req, res));
      log(log_level::debug, "http", req.method, " ", req.path);
      if (req.params.size() > max_query_params)
        reply_error(res, {error_code::bad_query,
                          "a request has at most "
                            + std::to_string(max_query_params)
                            + " query parameters"});
      else if (gate_.admit(req, res))
        (handlers_.*fn)(req, res);
      set_log_request_id({});
    };
  };
  const std::string id = R"(/accounts/([^/]+))";
  s.Get("/health", bind(&handlers::get_health));
  s.Get("/ready", bind(&handlers::get_ready));
  s.Get("/metrics", bind(&handlers::get_metrics));
  s.Get("/openapi.json", bind(&handlers::get_openapi));
  s.Get("/", bind(&handlers::get_ui_index));
  s.Get(R"(/ui/([^/]+))", bind(&handlers::get_ui_file));
  s.Get("/accounts", bind(&handlers::get_accounts));
  s.Post("/accounts", bind(&handlers::post_accounts));
  s.Get(id, bind(&handlers::get_account));
  s.Put(id, bind(&handlers::put_account));
  s.Patch(id, bind(&handlers::patch_account));
  s.Delete(id, bind(&handlers::delete_account));
  s.Post(id + "/events", bind(&handlers::post_account_events));
  s.Get(id + "/events", bind(&handlers::get_account_events));
  s.Get(id + "/events/stream", bind(&handlers::get_account_events_stream));
  s.Get(id + "/statistics", bind(&handlers::get_account_statistics));

  // A known path with another method: 405 and the methods it takes.
  static const std::vector<std::pair<std::string, std::string>> routes{
    {"/health|/ready|/metrics|/openapi.json", "GET"},
    {"/|/ui/[^/]+", "GET"},
    {"/accounts", "GET, POST"},
    {"/accounts/[^/]+", "GET, PUT, PATCH, DELETE"},
    {"/accounts/[^/]+/events", "GET, POST"},
    {"/accounts/[^/]+/events/stream", "GET"},
    {"/accounts/[^/]+/statistics", "GET"},
  };
  static const auto allowed = [] {
    std::vector<std::pair<std::regex, std::string>> out;
    for (auto& [path, methods] : routes)
      out.emplace_back(std::regex{path}, methods);
    return out;
  }();
  // Browsers ask before calling from another origin; no token needed.
  for (auto& [path, methods] : routes)
    s.Options(path, [this, methods = methods](const httplib::Request& req,
                                              httplib::Response& res) {
      identify(req, res);
      gate_.preflight(req, res, methods);
    });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.has_header("X-Request-Id"))
      identify(req, res);
    if (auto conn = current_connection(); conn && conn->too_slow()) {
      reply_error(res, {error_code::request_timeout,
                        "the request did not arrive whole in time"});
      return;
    }
    if (auto conn = current_connection()) {
      if (auto refusal = conn->head_refusal()) {
        reply_error(res, *refusal);
        return;
      }
    }
    if (res.status == 404 && res.body.empty())
      for (auto& [path, methods] : allowed)
        if (std::regex_match(req.path, path)) {
          res.set_header("Allow", methods);
          reply_error(res, {error_code::method_not_allowed,
                            req.method + " is not allowed on " + req.path
                              + " (allowed: " + methods + ")"});
          return;
        }
    fill_empty_error(req, res);
  });
  s.set_exception_handler([](const httplib::Request& req,
                             httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      // nop
    }
    log(log_level::error, "http", req.method, " ", req.path, ": ", what);
    reply_error(res, {error_code::internal_error, "internal error"});
  });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // A handed-over answer is counted where it is written.
    auto conn = current_connection();
    if (!conn || (!conn->handing_over() && !conn->counted()))
      count_answer(label_of(req), res.status);
  });
}

server::~server() {
  stop();
}

bool server::start(const std::string& host, uint16_t port) {
  if (!server_.bind_to_port(host.c_str(), port))
    return false;
  // Linux lets a listening socket listen again with a longer queue.
  if (listen_socket_ >= 0)
    ::listen(listen_socket_, listen_backlog);
  thread_ = std::thread{[this] { server_.listen_after_bind(); }};
  return true;
}

void server::stop() {
  if (thread_.joinable()) {
    handlers_.end_streams();
    server_.stop();
    thread_.join();
  }
}

} // namespace logbase
