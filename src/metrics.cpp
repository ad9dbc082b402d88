#include "src/metrics.hpp"

#include "src/record_checks.hpp"

#include <algorithm>
#include <sstream>

#include <prometheus/text_serializer.h>

namespace logbase {

namespace pm = prometheus;

const std::vector<double>& latency_buckets() {
  static const std::vector<double> bounds{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
  return bounds;
}

metrics& global_metrics() {
  static metrics instance;
  return instance;
}

pm::Counter& metrics::counter(const char* name, const char* help) {
  return family(pm::BuildCounter(), name, help).Add({});
}

pm::Gauge& metrics::gauge(const char* name, const char* help) {
  return family(pm::BuildGauge(), name, help).Add({});
}

metrics::metrics()
  : registry_(std::make_shared<pm::Registry>()),
    accounts(gauge("logbase_accounts", "Accounts in the table.")),
    account_writes(counter("logbase_account_writes_total",
                           "Account writes made durable.")),
    events_published(counter("logbase_events_published_total",
                             "Events published through this node.")),
    events_indexed(gauge("logbase_events_indexed", "Events in the index.")),
    event_index_bytes(gauge("logbase_event_index_bytes",
                            "Bytes held by event index entries.")),
    events_expired(
      counter("logbase_events_expired_total",
              "Events dropped from the index past the retention.")),
    idempotency_keys(gauge("logbase_idempotency_keys",
                           "Idempotency keys remembered within the window.")),
    idempotent_replays(
      counter("logbase_idempotent_replays_total",
              "Keyed event POSTs answered from a previous attempt.")),
    stats_windows(gauge("logbase_stats_windows", "Daily windows with counts.")),
    account_streams(gauge("logbase_account_streams",
                        "Per-account stream actors alive.")),
    stream_readers(gauge("logbase_stream_readers",
                         "Readers joined to per-account stream actors.")),
    streams_dropped_slow(
      counter("logbase_streams_dropped_slow_total",
              "Streams ended because the reader fell behind.")),
    http_streams(gauge("logbase_http_streams",
                       "Open event streams (SSE) held by HTTP workers of this "
                       "node.")),
    stats_commits(counter("logbase_stats_commits_total",
                          "Statistics changelog transactions committed.")),
    stats_commit_failures(
      counter("logbase_stats_commit_failures_total",
              "Statistics changelog commits that failed (retried).")),
    stats_aborts(counter("logbase_stats_aborts_total",
                         "Statistics changelog transactions aborted.")),
    produce_failures(
      counter("logbase_produce_failures_total",
              "Records that could not be made durable in time.")),
    records_fetched_back(
      counter("logbase_records_fetched_back_total",
              "Records of this node's own writes that a consumer fetched "
              "again and dropped.")),
    peers_connected(gauge("logbase_peers_connected",
                          "Other nodes this node is connected to.")),
    partitions_routable(
      gauge("logbase_partitions_routable",
            "events partitions this node can answer for now (its own, or a "
            "linked peer's).")),
    partitions_standby(
      gauge("logbase_partitions_standby",
            "events partitions of other nodes this node keeps a warm copy of "
            "(standby-replicas).")),
    standby_takeovers(
      counter("logbase_standby_takeovers_total",
              "Partitions this node was given while it kept a warm copy of "
              "them (served without a restore).")),
    node_links_refused(
      counter("logbase_node_links_refused_total",
              "Node links this node refused in the TLS handshake (no "
              "certificate signed by the node CA, or no TLS).")),
    http_requests(counter("logbase_http_requests_total",
                          "HTTP requests served.")),
    http_inflight(gauge("logbase_http_inflight",
                        "HTTP requests being answered now.")),
    http_overloaded(counter("logbase_http_overloaded_total",
                            "Requests refused with 503 overloaded.")),
    http_timeouts(
      counter("logbase_http_timeouts_total",
              "Requests answered 503 timeout (no answer in time).")),
    http_unauthorized(
      counter("logbase_http_unauthorized_total",
              "Requests refused with 401: no token, or one not listed.")),
    http_forbidden(
      counter("logbase_http_forbidden_total",
              "Requests refused with 403: a role too weak, or an origin not "
              "allowed.")),
    http_rate_limited(counter("logbase_http_rate_limited_total",
                              "Requests refused with 429: a client over its "
                              "rate.")),
    http_slow_requests_cut(
      counter("logbase_http_slow_requests_cut_total",
              "Connections cut because a request did not arrive whole in "
              "time.")),
    http_threads(gauge("logbase_http_threads",
                       "HTTP worker threads (one per open connection, plus "
                       "idle ones).")),
    http_errors_4xx(counter("logbase_http_client_errors_total",
                            "HTTP responses with a 4xx status.")),
    http_errors_5xx(counter("logbase_http_server_errors_total",
                            "HTTP responses with a 5xx status.")),
    undecodable_(family(pm::BuildCounter(), "logbase_undecodable_records_total",
                        "Records skipped because they could not be decoded.")),
    poison_(family(pm::BuildCounter(), "logbase_poison_records_total",
                   "Records skipped because they decode but make no sense, "
                   "by topic role and reason.")),
    misplaced_(family(pm::BuildCounter(), "logbase_misplaced_records_total",
                      "Records skipped because they lie on another partition "
                      "than murmur2 of their key gives.")),
    produce_seconds_(
      family(pm::BuildHistogram(), "logbase_kafka_produce_seconds",
             "Time from handing a record to librdkafka to its delivery "
             "report, by topic role (successful deliveries).")),
    consumer_lag_(
      family(pm::BuildGauge(), "logbase_consumer_lag",
             "Records between a reader's position and the partition's end as "
             "its consumer last fetched it, by reader, topic role and "
             "partition.")),
    restore_partitions_(
      family(pm::BuildGauge(), "logbase_restore_partitions",
             "Partitions a store is reading up to the end they had when it "
             "started (a restore).")),
    restore_remaining_(
      family(pm::BuildGauge(), "logbase_restore_records_remaining",
             "Offsets a store still has to read to finish its restore.")),
    restore_records_(
      family(pm::BuildCounter(), "logbase_restore_records_total",
             "Records a store read while restoring.")),
    request_seconds_(
      family(pm::BuildHistogram(), "logbase_http_request_seconds",
             "Time from a request's first byte to its answer written (for a "
             "stream: to its grant), by route template, method and status.")),
    partitions_owned_(gauge("logbase_partitions_owned",
                            "events partitions the consumer group gave this "
                            "node.")),
    partition_owned_(family(pm::BuildGauge(), "logbase_partition_owned",
                            "An events partition this node owns.")) {
  // Every topic is listed from the start, also at 0.
  for (auto t : all_topics) {
    std::string role{default_name(t)};
    undecodable_by_topic_.push_back(&undecodable_.Add({{"topic", role}}));
    misplaced_by_topic_.push_back(&misplaced_.Add({{"topic", role}}));
    produce_by_topic_.push_back(
      &produce_seconds_.Add({{"topic", role}}, latency_buckets()));
  }
}

std::string metrics::render() const {
  std::ostringstream out;
  pm::TextSerializer{}.Serialize(out, registry_->Collect());
  return std::move(out).str();
}

void metrics::count_undecodable(topic t) {
  undecodable_by_topic_[static_cast<size_t>(t)]->Increment();
}

void metrics::count_skipped(topic t, record_fault why) {
  if (why == record_fault::undecodable) {
    count_undecodable(t);
  } else if (why == record_fault::misplaced) {
    misplaced_by_topic_[static_cast<size_t>(t)]->Increment();
  } else {
    // Rare: the family's lock per record costs nothing that matters.
    poison_
      .Add({{"topic", std::string{default_name(t)}},
            {"reason", std::string{name_of(why)}}})
      .Increment();
  }
}

void metrics::observe_produce(topic t, double seconds) {
  produce_by_topic_[static_cast<size_t>(t)]->Observe(seconds);
}

void metrics::observe_produce(topic t, const std::vector<double>& bucket_counts,
                              double sum) {
  produce_by_topic_[static_cast<size_t>(t)]->ObserveMultiple(bucket_counts,
                                                             sum);
}

void produce_tally::add(topic t, double seconds) {
  auto& g = by_topic_[static_cast<size_t>(t)];
  auto& bounds = latency_buckets();
  if (g.counts.empty())
    g.counts.assign(bounds.size() + 1, 0.0);
  // A value on a limit belongs to that limit's bucket (le), as in Observe.
  auto i = std::lower_bound(bounds.begin(), bounds.end(), seconds);
  g.counts[static_cast<size_t>(i - bounds.begin())] += 1;
  g.sum += seconds;
}

void produce_tally::flush(metrics& into) {
  for (size_t t = 0; t < by_topic_.size(); ++t) {
    auto& g = by_topic_[t];
    if (g.counts.empty())
      continue;
    into.observe_produce(static_cast<topic>(t), g.counts, g.sum);
    g.counts.clear(); // keeps its capacity for the next poll's assign
    g.sum = 0;
  }
}

pm::Gauge& metrics::consumer_lag(std::string_view store,
                                 std::string_view topic_role,
                                 int32_t partition) {
  return consumer_lag_.Add({{"store", std::string{store}},
                            {"topic", std::string{topic_role}},
                            {"partition", std::to_string(partition)}});
}

void metrics::forget_lag(pm::Gauge& g) {
  consumer_lag_.Remove(&g);
}

metrics::restore_instruments metrics::restore(std::string_view store) {
  pm::Labels labels{{"store", std::string{store}}};
  return {restore_partitions_.Add(labels), restore_remaining_.Add(labels),
          restore_records_.Add(labels)};
}

void metrics::set_owned_partitions(const std::vector<int32_t>& partitions) {
  std::lock_guard<std::mutex> guard{owned_mutex_};
  std::map<int32_t, pm::Gauge*> now;
  for (auto p : partitions) {
    auto i = owned_.find(p);
    if (i != owned_.end()) {
      now.insert(owned_.extract(i));
      continue;
    }
    auto& g = partition_owned_.Add({{"partition", std::to_string(p)}});
    g.Set(1);
    now.emplace(p, &g);
  }
  for (auto& [p, g] : owned_)
    partition_owned_.Remove(g);
  owned_ = std::move(now);
  partitions_owned_.Set(static_cast<double>(owned_.size()));
}

void metrics::count_answer(std::string_view route, std::string_view method,
                           int status, double seconds) {
  http_requests.Increment();
  if (status >= 500)
    http_errors_5xx.Increment();
  else if (status >= 400)
    http_errors_4xx.Increment();
  request_seconds_
    .Add({{"route", std::string{route}},
          {"method", std::string{method}},
          {"status", std::to_string(status)}},
         latency_buckets())
    .Observe(seconds);
}

} // namespace logbase
