#pragma once

// A fake Kafka bridge for the deterministic actor tests: each partition an
// in-memory log, fed to its subscribers at once unless a test holds them.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "messages/interfaces.hpp"
#include "src/topics.hpp"

namespace logbase::test {

// -- a fake Kafka: partitions in memory, fed to subscribers ------------------

struct fake_kafka {
  topic_layout layout;
  std::map<std::pair<uint8_t, int32_t>, std::vector<in_record>> logs;
  struct subscriber {
    record_sink_actor sink;
    std::map<std::pair<uint8_t, int32_t>, int64_t> next;
  };
  std::vector<subscriber> subscribers;
  /// Subscribers whose feed is paused (their records wait).
  std::set<caf::actor_addr> held;
  /// If set, the next produce request lands only this many of its records
  /// and then fails, as a write answered 503 that landed in part.
  std::optional<size_t> land_only;
  /// The next this many commit requests fail and land nothing, as an
  /// aborted transaction.
  int fail_commits = 0;

  size_t records_on(topic t) const {
    size_t n = 0;
    for (auto& [where, log] : logs)
      if (where.first == id_of(t))
        n += log.size();
    return n;
  }

  delivery append(const out_record& r) {
    auto t = static_cast<topic>(r.topic_id);
    auto p = r.partition >= 0 ? r.partition
                              : partition_for(r.key, layout.of(t));
    auto& log = logs[{r.topic_id, p}];
    in_record in;
    in.topic_id = r.topic_id;
    in.partition = p;
    in.offset = static_cast<int64_t>(log.size());
    in.timestamp_ms = r.timestamp_ms;
    in.key = r.key;
    in.value = r.value;
    in.tombstone = r.tombstone;
    in.headers = r.headers;
    log.push_back(std::move(in));
    return delivery{p, log.back().offset};
  }

  /// Hands every subscriber not held what it has not seen, and the ends.
  template <class Self>
  void feed(Self* self) {
    for (auto& s : subscribers) {
      if (held.count(caf::actor_cast<caf::actor_addr>(s.sink)) > 0)
        continue;
      record_batch batch;
      for (auto& [where, next] : s.next) {
        auto& log = logs[where];
        for (; next < static_cast<int64_t>(log.size()); ++next)
          batch.records.push_back(log[static_cast<size_t>(next)]);
        batch.reached_end.push_back(
          assignment{where.first, where.second, next});
      }
      self->send(s.sink, records_atom::value, std::move(batch));
    }
  }
};

inline kafka_bridge_actor::behavior_type
fake_bridge(kafka_bridge_actor::pointer self, std::shared_ptr<fake_kafka> k) {
  return {
    [=](produce_atom, const std::vector<out_record>& records)
      -> caf::result<std::vector<delivery>> {
      std::vector<delivery> out;
      auto n = std::min(records.size(), k->land_only.value_or(records.size()));
      for (size_t i = 0; i < n; ++i)
        out.push_back(k->append(records[i]));
      k->feed(self);
      if (n < records.size() || k->land_only) {
        k->land_only.reset();
        return make_error(error_code::broker_unavailable, "landed in part");
      }
      return out;
    },
    [=](commit_atom, const std::vector<out_record>& records)
      -> caf::result<ok_atom> {
      if (k->fail_commits > 0) {
        --k->fail_commits;
        return make_error(error_code::broker_unavailable, "aborted");
      }
      for (auto& r : records)
        k->append(r);
      k->feed(self);
      return ok_atom::value;
    },
    [=](subscribe_atom, const std::vector<assignment>& parts,
        record_sink_actor sink) {
      fake_kafka::subscriber* s = nullptr;
      for (auto& x : k->subscribers)
        if (x.sink == sink)
          s = &x;
      if (s == nullptr) {
        k->subscribers.push_back({sink, {}});
        s = &k->subscribers.back();
      }
      for (auto& a : parts)
        s->next[{a.topic_id, a.partition}] = std::max<int64_t>(0,
                                                               a.start_offset);
      k->feed(self);
    },
    [=](release_atom, const std::vector<assignment>& parts,
        record_sink_actor sink) {
      for (auto& x : k->subscribers)
        if (x.sink == sink)
          for (auto& a : parts)
            x.next.erase({a.topic_id, a.partition});
    },
    [=](join_atom, membership_sink_actor) {
      // nop: the tests say which partitions a node owns
    },
    [=](watermark_atom, uint8_t topic_id, int32_t partition) {
      return static_cast<int64_t>(k->logs[{topic_id, partition}].size());
    },
    [=](ends_atom, uint8_t topic_id) {
      std::vector<int64_t> ends;
      for (int32_t p = 0; p < k->layout.of(static_cast<topic>(topic_id)); ++p)
        ends.push_back(static_cast<int64_t>(k->logs[{topic_id, p}].size()));
      return ends;
    },
    [=](delivered_atom, const std::vector<delivery_report>&) {
      // nop: the fake answers produce requests itself
    },
  };
}

} // namespace logbase::test
