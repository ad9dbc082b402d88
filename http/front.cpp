#include "front.hpp"

#include <regex>
#include <utility>
#include <vector>

#include "json.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "reply.hpp"

namespace logbase {

front::front(caf::actor_system& sys, const config& cfg, store_actors local,
             node_actor node, int32_t events_partitions)
  : handlers_(sys, cfg, std::move(local), std::move(node), events_partitions) {
  auto& s = server_;
  // Without it every small response waits ~40 ms for Nagle's algorithm.
  s.set_tcp_nodelay(true);
  auto threads = static_cast<size_t>(cfg.http_threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_payload_max_length(max_body_bytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_timeout(30);

  auto bind = [this](void (handlers::*fn)(const httplib::Request&,
                                          httplib::Response&)) {
    return [this, fn](const httplib::Request& req, httplib::Response& res) {
      (handlers_.*fn)(req, res);
    };
  };
  const std::string id = R"(/accounts/([^/]+))";
  s.Get("/health", bind(&handlers::get_health));
  s.Get("/ready", bind(&handlers::get_ready));
  s.Get("/metrics", bind(&handlers::get_metrics));
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
  static const std::vector<std::pair<std::regex, std::string>> allowed{
    {std::regex{"/health|/ready|/metrics"}, "GET"},
    {std::regex{"/accounts"}, "GET, POST"},
    {std::regex{"/accounts/[^/]+"}, "GET, PUT, PATCH, DELETE"},
    {std::regex{"/accounts/[^/]+/events"}, "GET, POST"},
    {std::regex{"/accounts/[^/]+/events/stream"}, "GET"},
    {std::regex{"/accounts/[^/]+/statistics"}, "GET"},
  };
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
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
  s.set_logger([](const httplib::Request&, const httplib::Response& res) {
    auto& m = global_metrics();
    m.http_requests++;
    if (res.status >= 500)
      m.http_errors_5xx++;
    else if (res.status >= 400)
      m.http_errors_4xx++;
  });
}

front::~front() {
  stop();
}

bool front::start(const std::string& host, uint16_t port) {
  if (!server_.bind_to_port(host.c_str(), port))
    return false;
  thread_ = std::thread{[this] { server_.listen_after_bind(); }};
  return true;
}

void front::stop() {
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

} // namespace logbase
