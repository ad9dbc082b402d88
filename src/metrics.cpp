#include "metrics.hpp"

namespace logbase {

metrics& global_metrics() {
  static metrics instance;
  return instance;
}

namespace {

void add(std::string& out, const char* name, const char* type,
         const char* help, int64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

} // namespace

void metrics::set_owned_partitions(std::vector<int32_t> partitions) {
  std::lock_guard<std::mutex> guard{owned_mutex_};
  owned_partitions_ = std::move(partitions);
}

std::string metrics::render() const {
  std::string out;
  out += "# HELP logbase_undecodable_records_total Records skipped because "
         "they could not be decoded.\n"
         "# TYPE logbase_undecodable_records_total counter\n";
  for (auto t : all_topics) {
    out += "logbase_undecodable_records_total{topic=\"";
    out += default_name(t);
    out += "\"} ";
    out += std::to_string(undecodable_records[static_cast<size_t>(t)].load());
    out += '\n';
  }
  add(out, "logbase_accounts", "gauge", "Accounts in the table.", accounts);
  add(out, "logbase_account_writes_total", "counter",
      "Account writes made durable.", account_writes);
  add(out, "logbase_events_published_total", "counter",
      "Events published through this node.", events_published);
  add(out, "logbase_events_indexed", "gauge", "Events in the index.",
      events_indexed);
  add(out, "logbase_event_index_bytes", "gauge",
      "Bytes held by event index entries.", event_index_bytes);
  add(out, "logbase_events_expired_total", "counter",
      "Events dropped from the index past the retention.", events_expired);
  add(out, "logbase_idempotency_keys", "gauge",
      "Idempotency keys remembered within the window.", idempotency_keys);
  add(out, "logbase_idempotent_replays_total", "counter",
      "Keyed event POSTs answered from a previous attempt.",
      idempotent_replays);
  add(out, "logbase_key_consumers", "gauge",
      "Per-account stream actors alive.", key_consumers);
  add(out, "logbase_stream_readers", "gauge", "Open event streams.",
      stream_readers);
  add(out, "logbase_streams_dropped_slow_total", "counter",
      "Streams ended because the reader fell behind.", streams_dropped_slow);
  add(out, "logbase_stats_windows", "gauge", "Daily windows with counts.",
      stats_windows);
  add(out, "logbase_stats_commits_total", "counter",
      "Changelog transactions committed.", stats_commits);
  add(out, "logbase_stats_commit_failures_total", "counter",
      "Changelog transactions that failed (retried).", stats_commit_failures);
  add(out, "logbase_produce_failures_total", "counter",
      "Records that could not be made durable in time.", produce_failures);
  add(out, "logbase_peers_connected", "gauge",
      "Other nodes this node is connected to.", peers_connected);
  add(out, "logbase_partitions_routable", "gauge",
      "events partitions this node can answer for now (its own, or a linked "
      "peer's).", partitions_routable);
  add(out, "logbase_partitions_standby", "gauge",
      "events partitions of other nodes this node keeps a warm copy of "
      "(standby-replicas).", partitions_standby);
  add(out, "logbase_standby_takeovers_total", "counter",
      "Partitions this node was given while it kept a warm copy of them "
      "(served without a restore).", standby_takeovers);
  add(out, "logbase_node_links_refused_total", "counter",
      "Node links this node refused in the TLS handshake (no certificate "
      "signed by the node CA, or no TLS).", node_links_refused);
  add(out, "logbase_http_requests_total", "counter", "HTTP requests served.",
      http_requests);
  add(out, "logbase_http_inflight", "gauge",
      "HTTP requests being answered now.", http_inflight);
  add(out, "logbase_http_overloaded_total", "counter",
      "Requests refused with 503 overloaded.", http_overloaded);
  add(out, "logbase_http_unauthorized_total", "counter",
      "Requests refused with 401: no token, or one not listed.",
      http_unauthorized);
  add(out, "logbase_http_forbidden_total", "counter",
      "Requests refused with 403: a role too weak, or an origin not allowed.",
      http_forbidden);
  add(out, "logbase_http_rate_limited_total", "counter",
      "Requests refused with 429: a client over its rate.", http_rate_limited);
  add(out, "logbase_http_slow_requests_cut_total", "counter",
      "Connections cut because a request did not arrive whole in time.",
      http_slow_requests_cut);
  add(out, "logbase_http_timeouts_total", "counter",
      "Requests answered 503 timeout (no answer in time).", http_timeouts);
  add(out, "logbase_http_threads", "gauge",
      "HTTP worker threads (one per open connection, plus idle ones).",
      http_threads);
  add(out, "logbase_http_streams", "gauge",
      "Event streams held by HTTP workers of this node.", http_streams);
  add(out, "logbase_http_client_errors_total", "counter",
      "HTTP responses with a 4xx status.", http_errors_4xx);
  add(out, "logbase_http_server_errors_total", "counter",
      "HTTP responses with a 5xx status.", http_errors_5xx);
  std::lock_guard<std::mutex> guard{owned_mutex_};
  add(out, "logbase_partitions_owned", "gauge",
      "events partitions the consumer group gave this node.",
      static_cast<int64_t>(owned_partitions_.size()));
  out += "# HELP logbase_partition_owned An events partition this node "
         "owns.\n# TYPE logbase_partition_owned gauge\n";
  for (auto p : owned_partitions_)
    out += "logbase_partition_owned{partition=\"" + std::to_string(p)
           + "\"} 1\n";
  return out;
}

} // namespace logbase
