#include "kafka/kafka_feed.hpp"

// What a feed tells about its reading (kafka_feed.cpp runs the consumer):
// restores to the restore watch, and each partition's lag to /metrics. All
// of it on the feed's thread, from what it knows already: no request to
// the broker, no timer.

#include <algorithm>

#include <librdkafka/rdkafka.h>

#include "src/topics.hpp"

namespace logbase {

void kafka_feed::begin_restores(const feed_start& plan) {
  std::vector<restore_watch::span> spans;
  for (auto& e : plan.ends)
    for (auto& a : plan.read_now)
      if (a.topic_id == e.topic_id && a.partition == e.partition) {
        auto next = std::max<int64_t>(0, a.start_offset);
        if (next >= e.start_offset)
          continue; // nothing before the end (a first offset not known)
        spans.push_back({a.topic_id, a.partition, next, e.start_offset});
        restoring_.insert({a.topic_id, a.partition});
      }
  watch_->begin(store_, spans);
  // The others were expected: at their end already, or with an end
  // unknown (read all the same, not shown as a restore).
  for (auto* parts : {&plan.read_now, &plan.at_end})
    for (auto& a : *parts)
      if (restoring_.count({a.topic_id, a.partition}) == 0)
        watch_->finish(store_, a.topic_id, a.partition);
}

void kafka_feed::watch_poll(rd_kafka_message_t* const* msgs, size_t n,
                            const std::vector<assignment>& reached) {
  std::vector<partition_key> touched;
  std::vector<restore_watch::step> steps;
  for (size_t i = 0; i < n; ++i) {
    auto& m = *msgs[i];
    if (m.rkt == nullptr)
      continue;
    partition_key k{topic_id_of(m.rkt), m.partition};
    if (k.first == unknown_topic)
      continue;
    if (touched.empty() || touched.back() != k)
      touched.push_back(k);
    if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR || restoring_.count(k) == 0)
      continue;
    if (!steps.empty() && steps.back().topic_id == k.first
        && steps.back().partition == k.second) {
      steps.back().next = m.offset + 1;
      ++steps.back().records;
    } else {
      steps.push_back({k.first, k.second, m.offset + 1, 1});
    }
  }
  watch_->advance(store_, steps);
  for (auto& end : reached)
    if (restoring_.erase({end.topic_id, end.partition}) > 0)
      watch_->finish(store_, end.topic_id, end.partition);
  update_lag(std::move(touched));
}

void kafka_feed::forget_watched(const std::vector<assignment>& parts) {
  for (auto& a : parts) {
    partition_key k{a.topic_id, a.partition};
    if (restoring_.erase(k) > 0)
      watch_->finish(store_, a.topic_id, a.partition);
    auto g = lag_.find(k);
    if (g != lag_.end()) {
      global_metrics().forget_lag(*g->second);
      lag_.erase(g);
    }
  }
}

void kafka_feed::update_lag(std::vector<partition_key> parts) {
  if (parts.empty())
    return;
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::vector<std::pair<partition_key, int64_t>> at;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& k : parts)
      if (auto i = next_.find(k); i != next_.end())
        at.emplace_back(k, i->second);
  }
  for (auto& [k, next] : at) {
    int64_t low = 0;
    int64_t high = -1;
    // librdkafka's copy from the last fetch: no request to the broker.
    if (consumer_->get_watermark_offsets(names_[k.first], k.second, &low,
                                         &high)
          != RdKafka::ERR_NO_ERROR
        || high < 0)
      continue;
    auto& g = lag_[k];
    if (g == nullptr)
      g = &global_metrics().consumer_lag(
        store_, default_name(static_cast<topic>(k.first)), k.second);
    g->Set(static_cast<double>(std::max<int64_t>(0, high - next)));
  }
}

} // namespace logbase
