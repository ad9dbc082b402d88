#pragma once

/// The process's metrics for `/metrics`: one prometheus-cpp registry and the
/// instruments in it, which the actors, the Kafka threads and the HTTP
/// front update (prometheus-cpp's counters, gauges and histograms are
/// thread-safe). Instrumentation only: no component reads another's
/// numbers to decide.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "src/topics.hpp"

namespace logbase {
enum class record_fault : uint8_t; // record_checks.hpp
}

namespace logbase {

/// Bucket bounds in seconds for request and produce latencies: from 0.1 ms
/// (a GET answered from memory) to 30 s (past the longest write timeout).
const std::vector<double>& latency_buckets();

class metrics {
public:
  metrics();

  metrics(const metrics&) = delete;
  metrics& operator=(const metrics&) = delete;

  /// The exposition text (Prometheus text format 0.0.4).
  std::string render() const;

private:
  std::shared_ptr<prometheus::Registry> registry_;

  template <class Builder>
  auto& family(Builder&& b, const char* name, const char* help) {
    return b.Name(name).Help(help).Register(*registry_);
  }

  prometheus::Counter& counter(const char* name, const char* help);
  prometheus::Gauge& gauge(const char* name, const char* help);

public:
  // -- tables and indexes --------------------------------------------------

  prometheus::Gauge& accounts;
  prometheus::Counter& account_writes;
  prometheus::Counter& events_published;
  prometheus::Gauge& events_indexed;
  prometheus::Gauge& event_index_bytes;
  prometheus::Counter& events_expired;
  prometheus::Gauge& idempotency_keys;
  prometheus::Counter& idempotent_replays;
  prometheus::Gauge& stats_windows;

  /// Counts a record skipped because it could not be decoded.
  void count_undecodable(topic t);

  /// Counts a skipped record by why: undecodable, misplaced (a metric of
  /// its own) or poison (by reason).
  void count_skipped(topic t, record_fault why);

  // -- streams -------------------------------------------------------------

  prometheus::Gauge& account_streams;
  prometheus::Gauge& stream_readers;
  prometheus::Counter& streams_dropped_slow;
  prometheus::Gauge& http_streams;

  // -- Kafka ---------------------------------------------------------------

  prometheus::Counter& stats_commits;
  prometheus::Counter& stats_commit_failures;
  prometheus::Counter& stats_aborts;
  prometheus::Counter& produce_failures;
  prometheus::Counter& records_fetched_back;

  /// A record's time from librdkafka's produce() to its delivery report.
  void observe_produce(topic t, double seconds);
  /// Many records' times at once, already sorted into latency_buckets()
  /// (one count per bucket and one for +Inf).
  void observe_produce(topic t, const std::vector<double>& bucket_counts,
                       double sum);

  /// How far a reader (`store`: the actor it feeds) is behind a partition's
  /// end; the gauge stays until `forget_lag`.
  prometheus::Gauge& consumer_lag(std::string_view store,
                                  std::string_view topic_role,
                                  int32_t partition);
  void forget_lag(prometheus::Gauge& g);

  /// Restore progress of one store (the actor a feed serves).
  struct restore_instruments {
    prometheus::Gauge& partitions;
    prometheus::Gauge& remaining;
    prometheus::Counter& records;
  };
  restore_instruments restore(std::string_view store);

  // -- the cluster ---------------------------------------------------------

  prometheus::Gauge& peers_connected;
  prometheus::Gauge& partitions_routable;
  prometheus::Gauge& partitions_standby;
  prometheus::Counter& standby_takeovers;
  prometheus::Counter& node_links_refused;

  /// The `events` partitions the group gave this node (the node sets it).
  void set_owned_partitions(const std::vector<int32_t>& partitions);

  // -- HTTP ----------------------------------------------------------------

  prometheus::Counter& http_requests;
  prometheus::Gauge& http_inflight;
  prometheus::Counter& http_overloaded;
  prometheus::Counter& http_timeouts;
  prometheus::Counter& http_unauthorized;
  prometheus::Counter& http_forbidden;
  prometheus::Counter& http_rate_limited;
  prometheus::Counter& http_slow_requests_cut;
  prometheus::Gauge& http_threads;
  prometheus::Counter& http_errors_4xx;
  prometheus::Counter& http_errors_5xx;

  /// Counts an answer: requests, 4xx/5xx, and its time from the request's
  /// first byte to the answer written, by route template, method and
  /// status.
  void count_answer(std::string_view route, std::string_view method,
                    int status, double seconds);

private:
  prometheus::Family<prometheus::Counter>& undecodable_;
  std::vector<prometheus::Counter*> undecodable_by_topic_;
  prometheus::Family<prometheus::Counter>& poison_;
  prometheus::Family<prometheus::Counter>& misplaced_;
  std::vector<prometheus::Counter*> misplaced_by_topic_;
  prometheus::Family<prometheus::Histogram>& produce_seconds_;
  std::vector<prometheus::Histogram*> produce_by_topic_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_;
  prometheus::Family<prometheus::Gauge>& restore_partitions_;
  prometheus::Family<prometheus::Gauge>& restore_remaining_;
  prometheus::Family<prometheus::Counter>& restore_records_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Gauge& partitions_owned_;
  prometheus::Family<prometheus::Gauge>& partition_owned_;
  /// Guards the per-partition children of partition_owned_.
  std::mutex owned_mutex_;
  std::map<int32_t, prometheus::Gauge*> owned_;
};

/// The one instance of this process.
metrics& global_metrics();

/// Produce latencies gathered over one delivery poll and handed to the
/// histogram at once: Observe per record takes the histogram's lock, and a
/// batch ingest delivers hundreds of thousands of records a second.
class produce_tally {
public:
  void add(topic t, double seconds);
  /// Hands what was gathered to `into` and starts again.
  void flush(metrics& into);
  void flush() {
    flush(global_metrics());
  }

private:
  struct gathered {
    std::vector<double> counts; ///< empty: nothing gathered since the flush
    double sum = 0;
  };
  std::array<gathered, all_topics.size()> by_topic_;
};

} // namespace logbase
