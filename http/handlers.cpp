#include "handlers.hpp"

#include <charconv>
#include <chrono>
#include <optional>
#include <set>
#include <tuple>

#include <caf/all.hpp>

#include "account_store.hpp"
#include "caf_errors.hpp"
#include "codec.hpp"
#include "json.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "params.hpp"
#include "reply.hpp"
#include "sse.hpp"
#include "window.hpp"

namespace logbase {

namespace {

// One blocking actor per HTTP worker thread, at namespace scope so that it
// is gone before the actor system waits for its actors at shutdown.
thread_local std::unique_ptr<caf::scoped_actor> thread_self;

caf::scoped_actor& self_of(caf::actor_system& sys) {
  if (!thread_self)
    thread_self = std::make_unique<caf::scoped_actor>(sys);
  return *thread_self;
}

/// Asks an actor and waits for its answer (or a failure).
template <class... Rs, class Handle, class... Ts>
expected<std::tuple<Rs...>> ask(caf::actor_system& sys,
                                std::chrono::milliseconds timeout,
                                const Handle& h, Ts&&... xs) {
  std::optional<expected<std::tuple<Rs...>>> out;
  self_of(sys)
    ->request(h, timeout, std::forward<Ts>(xs)...)
    .receive([&](Rs&... rs) { out.emplace(std::make_tuple(std::move(rs)...)); },
             [&](caf::error& err) { out.emplace(to_failure(err)); });
  return std::move(*out);
}

std::string etag(const account& a) {
  return "\"" + std::to_string(a.version) + "\"";
}

void reply_account(httplib::Response& res, int status, const account& a) {
  res.set_header("ETag", etag(a));
  reply_json(res, status, account_json(a));
}

} // namespace

handlers::handlers(caf::actor_system& sys, config cfg, store_actors local,
                   node_actor node, int32_t events_partitions)
  : sys_(sys),
    cfg_(std::move(cfg)),
    actors_(std::move(local)),
    node_(std::move(node)),
    events_partitions_(events_partitions) {
  // nop
}

#define LOGBASE_TRY(var, expr)                                                 \
  auto var = (expr);                                                           \
  if (!var) {                                                                  \
    reply_error(res, var.error());                                             \
    return;                                                                    \
  }

namespace {

std::chrono::milliseconds read_timeout() {
  return std::chrono::milliseconds{5000};
}

} // namespace

expected<store_actors> handlers::route(int64_t account_id) {
  if (cfg_.cluster().single())
    return actors_;
  auto r = ask<account_table_actor, event_log_actor, stats_actor>(
    sys_, read_timeout(), node_, route_atom::value, account_id);
  if (!r)
    return r.error();
  return store_actors{std::get<0>(*r), std::get<1>(*r), std::get<2>(*r)};
}

/// The actors answer a write within about 1.25 write timeouts; this is the
/// safety net past that.
std::chrono::milliseconds handlers::write_deadline() const {
  return std::chrono::milliseconds{cfg_.write_timeout_ms * 2 + 2000};
}

namespace {

} // namespace

// -- health --------------------------------------------------------------------

void handlers::get_health(const httplib::Request&, httplib::Response& res) {
  reply_json(res, 200, R"({"status":"up"})");
}

void handlers::get_ready(const httplib::Request&, httplib::Response& res) {
  int32_t restored = 0;
  int32_t total = 0;
  bool answered = true;
  auto add = [&](auto r) {
    if (!r) {
      answered = false;
      return;
    }
    restored += std::get<0>(*r);
    total += std::get<1>(*r);
  };
  add(ask<int32_t, int32_t>(sys_, read_timeout(), actors_.accounts,
                            ready_atom::value));
  add(ask<int32_t, int32_t>(sys_, read_timeout(), actors_.events,
                            ready_atom::value));
  add(ask<int32_t, int32_t>(sys_, read_timeout(), actors_.stats,
                            ready_atom::value));
  bool ready = answered && restored >= total;
  std::string body = std::string{"{\"ready\":"} + (ready ? "true" : "false")
                     + ",\"restored\":" + std::to_string(restored)
                     + ",\"total\":" + std::to_string(total) + "}";
  if (!ready)
    res.set_header("Retry-After", std::to_string(retry_after_seconds));
  reply_json(res, ready ? 200 : 503, body);
}

void handlers::get_metrics(const httplib::Request&, httplib::Response& res) {
  res.set_content(global_metrics().render(), "text/plain; version=0.0.4");
}

// -- accounts ------------------------------------------------------------------

void handlers::get_accounts(const httplib::Request& req,
                            httplib::Response& res) {
  if (auto f = only_params(req, {"limit", "after"}))
    return reply_error(res, *f);
  LOGBASE_TRY(limit, int_param(req, "limit", 1000, 1, 10000));
  LOGBASE_TRY(after, int_param(req, "after", 0, 0, max_account_id));
  LOGBASE_TRY(r, (ask<std::vector<account>>(sys_, read_timeout(),
                                            actors_.accounts, list_atom::value,
                                            *after, *limit)));
  reply_json(res, 200, accounts_json(std::get<0>(*r)));
}

void handlers::post_accounts(const httplib::Request& req,
                             httplib::Response& res) {
  LOGBASE_TRY(name, parse_account_body(req.body));
  LOGBASE_TRY(id, (ask<int64_t>(sys_, write_deadline(), actors_.accounts,
                                reserve_atom::value)));
  LOGBASE_TRY(owner, route(std::get<0>(*id)));
  LOGBASE_TRY(r, (ask<account, bool>(sys_, write_deadline(), owner->accounts,
                                     put_atom::value, std::get<0>(*id), *name,
                                     create_only)));
  auto& a = std::get<0>(*r);
  res.set_header("Location", "/accounts/" + std::to_string(a.id));
  reply_account(res, 201, a);
}

void handlers::get_account(const httplib::Request& req,
                           httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(r, (ask<account>(sys_, read_timeout(), owner->accounts,
                               get_atom::value, *id)));
  reply_account(res, 200, std::get<0>(*r));
}

void handlers::put_account(const httplib::Request& req,
                           httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  LOGBASE_TRY(name, parse_account_body(req.body));
  auto timeout = write_deadline();
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(r, (ask<account, bool>(sys_, timeout, owner->accounts,
                                     put_atom::value, *id, *name, *version)));
  auto& [a, created] = *r;
  if (created)
    res.set_header("Location", "/accounts/" + std::to_string(a.id));
  reply_account(res, created ? 201 : 200, a);
}

void handlers::patch_account(const httplib::Request& req,
                             httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  LOGBASE_TRY(name, parse_account_body(req.body));
  auto timeout = write_deadline();
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(r, (ask<account>(sys_, timeout, owner->accounts,
                               patch_atom::value, *id, *name, *version)));
  reply_account(res, 200, std::get<0>(*r));
}

void handlers::delete_account(const httplib::Request& req,
                              httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  auto timeout = write_deadline();
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(r, (ask<ok_atom>(sys_, timeout, owner->accounts,
                               delete_atom::value, *id, *version)));
  res.status = 204;
}

// -- events --------------------------------------------------------------------

namespace {

/// True when the body is a JSON array (a batch): the reply is one too.
bool is_batch(const std::string& body) {
  auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && body[first] == '[';
}

} // namespace

void handlers::post_account_events(const httplib::Request& req,
                                   httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(inputs, parse_events_body(req.body));
  bool batch = is_batch(req.body);
  auto now = now_ns();
  auto oldest = now - cfg_.events_retention_ms * 1'000'000;
  auto newest = now + 5LL * 60 * ns_per_second;
  std::vector<event> events;
  events.reserve(inputs->size());
  for (size_t i = 0; i < inputs->size(); ++i) {
    auto& in = (*inputs)[i];
    auto t = in.happened_at_ns.value_or(now);
    if (t < oldest || t > newest)
      return reply_error(
        res, {error_code::happened_at_out_of_range,
              (batch ? "element " + std::to_string(i) + ": " : std::string{})
                + "happenedAt " + format_instant(t)
                + " is outside the accepted range (not before "
                + format_instant(oldest) + ", not after "
                + format_instant(newest) + ")"});
    events.push_back(event{*id, std::move(in.type), t, -1});
  }
  auto t0 = now_ns();
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(acc, (ask<account>(sys_, read_timeout(), owner->accounts,
                                 get_atom::value, *id)));
  auto t1 = now_ns();
  auto timeout = write_deadline();
  LOGBASE_TRY(stored, (ask<std::vector<event>>(sys_, timeout, owner->events,
                                               publish_atom::value,
                                               std::move(events))));
  auto& out = std::get<0>(*stored);
  // Read-your-writes for statistics: answer once the events are counted.
  int64_t last = -1;
  for (auto& e : out)
    last = std::max(last, e.offset);
  auto partition = partition_for(encode_long_key(*id), events_partitions_);
  auto t2 = now_ns();
  LOGBASE_TRY(counted, (ask<ok_atom>(sys_, timeout, owner->stats,
                                     await_atom::value, partition, last)));
  auto t3 = now_ns();
  log(log_level::debug, "http", "post events: account ", (t1 - t0) / 1000,
      " us, publish ", (t2 - t1) / 1000, " us, count ", (t3 - t2) / 1000, " us");
  reply_json(res, 201, batch ? events_json(out) : event_json(out.front()));
}

void handlers::get_account_events(const httplib::Request& req,
                                  httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  if (auto f = only_params(req, {"from", "to", "type", "limit"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, instant_param(req, "from"));
  LOGBASE_TRY(to, instant_param(req, "to"));
  LOGBASE_TRY(limit, int_param(req, "limit", 1000, 1, 10000));
  event_query q;
  q.account_id = *id;
  q.from_ns = from->value_or(INT64_MIN);
  q.to_ns = to->value_or(INT64_MAX);
  q.limit = *limit;
  LOGBASE_TRY(type, type_param(req));
  q.type = std::move(*type);
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(acc, (ask<account>(sys_, read_timeout(), owner->accounts,
                                 get_atom::value, *id)));
  q.events_since = std::get<0>(*acc).events_since;
  LOGBASE_TRY(r, (ask<std::vector<event>>(sys_, read_timeout(),
                                          owner->events, query_atom::value,
                                          q)));
  reply_json(res, 200, events_json(std::get<0>(*r)));
}

void handlers::get_account_events_stream(const httplib::Request& req,
                                         httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  if (auto f = only_params(req, {"from", "type"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, instant_param(req, "from"));
  LOGBASE_TRY(resume_after, last_event_id(req));
  event_query q;
  q.account_id = *id;
  q.limit = max_replay_events;
  LOGBASE_TRY(type, type_param(req));
  q.type = std::move(*type);
  if (*from) {
    q.from_ns = **from;
  } else if (*resume_after) {
    q.after_offset = **resume_after;
  } else {
    q.from_ns = INT64_MAX; // no past: only what comes from now on
  }
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(acc, (ask<account>(sys_, read_timeout(), owner->accounts,
                                 get_atom::value, *id)));
  q.events_since = std::get<0>(*acc).events_since;
  // Each stream holds a worker thread: keep half of them for requests.
  auto max_streams = std::max(1, cfg_.http_threads / 2);
  if (!serve_event_stream(sys_, owner->events, q, res, max_streams))
    reply_error(res, {error_code::too_many_streams,
                      "this node serves at most " + std::to_string(max_streams)
                        + " streams at once (http-threads / 2)"});
}

// -- statistics ----------------------------------------------------------------

void handlers::get_account_statistics(const httplib::Request& req,
                                      httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  if (auto f = only_params(req, {"from", "to", "type"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, day_param(req, "from"));
  LOGBASE_TRY(to, day_param(req, "to"));
  stats_query q;
  q.account_id = *id;
  q.from_day = from->value_or(INT32_MIN);
  q.to_day = to->value_or(INT32_MAX);
  LOGBASE_TRY(type, type_param(req));
  q.type = std::move(*type);
  LOGBASE_TRY(owner, route(*id));
  LOGBASE_TRY(acc, (ask<account>(sys_, read_timeout(), owner->accounts,
                                 get_atom::value, *id)));
  LOGBASE_TRY(r, (ask<std::vector<daily_count>>(sys_, read_timeout(),
                                                owner->stats,
                                                query_atom::value, q)));
  reply_json(res, 200, daily_counts_json(std::get<0>(*r)));
}

} // namespace logbase
