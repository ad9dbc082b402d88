#include "http/handlers.hpp"

#include <caf/all.hpp>

#include "src/account_store.hpp"
#include "http/connection.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "src/metrics.hpp"
#include "openapi_json.hpp"
#include "http/params.hpp"
#include "http/reply.hpp"
#include "http/ui_files.hpp"
#include "src/time.hpp"

namespace logbase {

handlers::handlers(caf::actor_system& sys, const config& cfg,
                   http_front_actor front)
  : cfg_(cfg), front_(std::move(front)), streams_(sys, cfg.max_streams) {
  // nop
}

// The front actor answers 503 timeout at its own deadlines (5 s for reads,
// two write timeouts and 5 s for writes); these are the safety net past
// them, should the front itself not answer.
std::chrono::milliseconds handlers::read_deadline() const {
  return std::chrono::milliseconds{7000};
}

std::chrono::milliseconds handlers::write_deadline() const {
  return std::chrono::milliseconds{cfg_.write_timeout_ms * 2 + 7000};
}

std::optional<failure> handlers::admit() {
  auto& m = global_metrics();
  if (inflight_.fetch_add(1) >= cfg_.max_inflight) {
    --inflight_;
    m.http_overloaded.Increment();
    return failure{error_code::overloaded,
                   "this node is answering " + std::to_string(cfg_.max_inflight)
                     + " requests already; try again shortly"};
  }
  m.http_inflight.Increment();
  return std::nullopt;
}

void handlers::release() {
  global_metrics().http_inflight.Decrement();
  --inflight_;
}

template <class... Ts>
front_reply handlers::ask(std::chrono::milliseconds deadline, Ts&&... xs) {
  if (auto f = admit())
    return {error_response(*f), std::nullopt};
  auto slot = std::make_shared<one_shot<front_reply>>();
  caf::anon_send(front_, std::forward<Ts>(xs)..., slot);
  auto r = slot->wait_until(std::chrono::steady_clock::now() + deadline);
  release();
  if (r)
    return std::move(*r);
  global_metrics().http_timeouts.Increment();
  return {error_response({error_code::timeout,
                          "no answer in time; try again"}),
          std::nullopt};
}

template <class... Ts>
void handlers::call(const httplib::Request& req, httplib::Response& res,
                    std::chrono::milliseconds deadline, Ts&&... xs) {
  auto conn = current_connection();
  if (!conn || !conn->can_hand_over(req))
    return write_response(res, ask(deadline, std::forward<Ts>(xs)...).reply);
  if (auto f = admit())
    return reply_error(res, *f);
  // The front's thread writes the answer (see http/connection.hpp); this
  // thread goes back to waiting for the client.
  auto slot = std::make_shared<one_shot<front_reply>>();
  conn->hand_over(slot, std::chrono::steady_clock::now() + deadline,
                  [this, label = label_of(req)](int status) {
                    release();
                    count_answer(label, status);
                  });
  caf::anon_send(front_, std::forward<Ts>(xs)..., slot);
}

#define LOGBASE_TRY(var, expr)                                                 \
  auto var = (expr);                                                           \
  if (!var) {                                                                  \
    reply_error(res, var.error());                                             \
    return;                                                                    \
  }

// -- health --------------------------------------------------------------------

void handlers::get_health(const httplib::Request&, httplib::Response& res) {
  write_response(res, json_response(200, R"({"status":"up"})"));
}

void handlers::get_ready(const httplib::Request& req,
                         httplib::Response& res) {
  call(req, res, read_deadline(), ready_atom::value);
}

void handlers::get_metrics(const httplib::Request&, httplib::Response& res) {
  res.set_content(global_metrics().render(), "text/plain; version=0.0.4");
}

void handlers::get_openapi(const httplib::Request&, httplib::Response& res) {
  res.set_content(openapi_json.data(), openapi_json.size(),
                  "application/json");
}

namespace {

/// A dashboard file; browsers ask again each time (it changes with the binary).
void serve_static(httplib::Response& res, std::string_view text,
                  const char* type) {
  res.set_header("Cache-Control", "no-cache");
  res.set_content(text.data(), text.size(), type);
}

} // namespace

void handlers::get_ui_index(const httplib::Request&, httplib::Response& res) {
  auto page = ui_index();
  serve_static(res, page.text, page.content_type);
}

void handlers::get_ui_file(const httplib::Request& req,
                           httplib::Response& res) {
  auto file = ui_file_named(req.matches[1].str());
  if (!file) {
    reply_error(res, {error_code::route_not_found,
                      "no such resource: GET " + req.path});
    return;
  }
  serve_static(res, file->text, file->content_type);
}

// -- accounts ------------------------------------------------------------------

void handlers::get_accounts(const httplib::Request& req,
                            httplib::Response& res) {
  if (auto f = only_params(req, {"limit", "after"}))
    return reply_error(res, *f);
  LOGBASE_TRY(limit, int_param(req, "limit", 1000, 1, 10000));
  LOGBASE_TRY(after, int_param(req, "after", 0, 0, max_account_id));
  call(req, res, read_deadline(), list_atom::value, *after, *limit);
}

void handlers::post_accounts(const httplib::Request& req,
                             httplib::Response& res) {
  LOGBASE_TRY(name, parse_account_body(req.body));
  call(req, res, write_deadline(), create_atom::value, std::move(*name));
}

void handlers::get_account(const httplib::Request& req,
                           httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  call(req, res, read_deadline(), get_atom::value, *id);
}

void handlers::put_account(const httplib::Request& req,
                           httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  LOGBASE_TRY(name, parse_account_body(req.body));
  call(req, res, write_deadline(), put_atom::value, *id, std::move(*name),
       *version);
}

void handlers::patch_account(const httplib::Request& req,
                             httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  LOGBASE_TRY(name, parse_account_body(req.body));
  call(req, res, write_deadline(), patch_atom::value, *id, std::move(*name),
       *version);
}

void handlers::delete_account(const httplib::Request& req,
                              httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  LOGBASE_TRY(version, if_match(req));
  call(req, res, write_deadline(), delete_atom::value, *id, *version);
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
  LOGBASE_TRY(key, idempotency_key(req));
  LOGBASE_TRY(inputs, parse_events_body(req.body));
  bool batch = is_batch(req.body);
  // Hashed before happenedAt defaults to now, which a retry would change.
  auto hash = key->empty() ? 0 : body_hash(*inputs, batch);
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
  call(req, res, write_deadline(), publish_atom::value, *id, std::move(events),
       batch, std::move(*key), hash);
}

void handlers::get_account_events(const httplib::Request& req,
                                  httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  if (auto f = only_params(req, {"from", "to", "type", "limit"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, instant_param(req, "from"));
  LOGBASE_TRY(to, instant_param(req, "to"));
  LOGBASE_TRY(limit, int_param(req, "limit", 1000, 1, 10000));
  LOGBASE_TRY(type, type_param(req));
  event_query q;
  q.account_id = *id;
  q.from_ns = from->value_or(INT64_MIN);
  q.to_ns = to->value_or(INT64_MAX);
  q.limit = *limit;
  q.type = std::move(*type);
  call(req, res, read_deadline(), query_atom::value, std::move(q));
}

void handlers::get_account_events_stream(const httplib::Request& req,
                                         httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  // access_token: the gate read it (EventSource cannot send headers).
  if (auto f = only_params(req, {"from", "type", "access_token"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, instant_param(req, "from"));
  LOGBASE_TRY(resume_after, last_event_id(req));
  LOGBASE_TRY(type, type_param(req));
  event_query q;
  q.account_id = *id;
  q.limit = max_replay_events;
  q.type = std::move(*type);
  if (*from) {
    q.from_ns = **from;
  } else if (*resume_after) {
    q.after_offset = **resume_after;
  } else {
    q.from_ns = INT64_MAX; // no past: only what comes from now on
  }
  if (auto f = streams_.refusal())
    return reply_error(res, *f);
  auto r = ask(read_deadline(), join_atom::value, std::move(q));
  if (!r.stream)
    return write_response(res, std::move(r.reply));
  if (auto f = streams_.serve(r.stream->log, std::move(r.stream->query), res))
    return reply_error(res, *f);
  // Counted as granted: its time is that of the answer, not the stream's.
  if (auto conn = current_connection()) {
    count_answer(label_of(req), 200);
    conn->mark_counted();
  }
}

// -- statistics ----------------------------------------------------------------

void handlers::get_account_statistics(const httplib::Request& req,
                                      httplib::Response& res) {
  LOGBASE_TRY(id, account_store::parse_id(req.matches[1].str()));
  if (auto f = only_params(req, {"from", "to", "type"}))
    return reply_error(res, *f);
  LOGBASE_TRY(from, day_param(req, "from"));
  LOGBASE_TRY(to, day_param(req, "to"));
  LOGBASE_TRY(type, type_param(req));
  stats_query q;
  q.account_id = *id;
  q.from_day = from->value_or(INT32_MIN);
  q.to_day = to->value_or(INT32_MAX);
  q.type = std::move(*type);
  call(req, res, read_deadline(), query_atom::value, std::move(q));
}

void handlers::end_streams() {
  streams_.end_all("the server is shutting down");
}

} // namespace logbase
