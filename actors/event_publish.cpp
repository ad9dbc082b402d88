#include "actors/event_log.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/metrics.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

using self_ptr = event_log_self;
using promise = caf::typed_response_promise<std::vector<event>>;
using kind = idempotency_keys::kind;

/// What a keyed publish writes into each record's `idempotency` header.
struct keyed {
  std::string key;
  uint64_t body_hash = 0;
  int64_t written_ms = 0;
};

out_record event_out_record(const event& e) {
  out_record r;
  r.topic_id = id_of(topic::events);
  r.key = encode_long_key(e.account_id);
  r.value = event_record_value(e);
  // Record time = happenedAt: the broker's retention runs on event time.
  r.timestamp_ms = e.happened_at_ns / 1'000'000;
  r.known_event = e;
  return r;
}

/// Produces `parts` of `events` (all of them when empty); `done` gets them
/// back with their offsets once durable and indexed, or the error. The
/// events are moved along, never copied: a batch holds up to thousands.
template <class Done>
void produce(self_ptr self, std::vector<event> events,
             const std::vector<uint32_t>& parts, const keyed* mark,
             Done done) {
  std::vector<out_record> records;
  auto add = [&](uint32_t part) {
    auto r = event_out_record(events[part]);
    if (mark != nullptr)
      r.headers.push_back(record_header{
        std::string{idempotency_record_header},
        encode_mark({mark->key, mark->body_hash, part,
                     static_cast<uint32_t>(events.size()),
                     mark->written_ms})});
    records.push_back(std::move(r));
  };
  records.reserve(parts.empty() ? events.size() : parts.size());
  std::vector<event> sent;
  if (parts.empty()) {
    for (uint32_t p = 0; p < events.size(); ++p)
      add(p);
    sent = std::move(events);
  } else {
    sent.reserve(parts.size());
    for (auto p : parts) {
      add(p);
      sent.push_back(std::move(events[p]));
    }
  }
  // No CAF timer: the bridge answers every batch, at the latest when
  // librdkafka's message timeout (half the write timeout) fails it.
  self
    ->request(self->state.bridge, caf::infinite, produce_atom::value,
              std::move(records))
    .then(
      [=, sent = std::move(sent)](const std::vector<delivery>& ds) mutable {
        int32_t partition = 0;
        int64_t last = -1;
        for (size_t i = 0; i < ds.size(); ++i) {
          sent[i].offset = ds[i].offset;
          partition = ds[i].partition;
          last = std::max(last, ds[i].offset);
        }
        global_metrics().events_published.Increment(
          static_cast<double>(ds.size()));
        if (self->state.indexed.reached(partition, last)) {
          done(&sent, nullptr);
          return;
        }
        self->state.indexed.wait(partition, last,
                                 [done = std::move(done),
                                  sent = std::move(sent)]() mutable {
                                   done(&sent, nullptr);
                                 });
      },
      [=](const caf::error& err) mutable {
        auto e = kafka_timeout_as_unavailable(err);
        done(nullptr, &e);
      });
}

int32_t partition_of(self_ptr self, int64_t account_id) {
  return partition_for(encode_long_key(account_id),
                       self->state.layout.of(topic::events));
}

/// Calls `then` once this node has indexed its partition of `account_id`
/// up to the broker's current end (nullptr), or with why it cannot know.
template <class Then>
void catch_up(self_ptr self, int64_t account_id, Then then) {
  auto partition = partition_of(self, account_id);
  auto timeout = std::chrono::milliseconds{self->state.cfg.write_timeout_ms};
  self
    ->request(self->state.bridge, timeout, ends_atom::value,
              id_of(topic::events))
    .then(
      [=](const std::vector<int64_t>& ends) mutable {
        auto end = partition < static_cast<int32_t>(ends.size())
                     ? ends[partition]
                     : 0;
        auto go = [=]() mutable { then(nullptr); };
        if (end <= 0 || !self->state.indexed.wait(partition, end - 1, go))
          go();
      },
      [=](const caf::error& err) mutable {
        auto e = kafka_timeout_as_unavailable(err);
        then(&e);
      });
}

/// The attempt with this key is over: whoever waited checks again.
void end_attempt(self_ptr self, int64_t account_id, const std::string& key,
                 bool failed) {
  for (auto& again : self->state.keys.end(account_id, key, failed))
    again();
}

} // namespace

void publish_events(self_ptr self, promise rp, std::vector<event> events,
                    std::string key, uint64_t body_hash,
                    int64_t events_since) {
  if (key.empty() || events.empty()) {
    produce(self, std::move(events), {}, nullptr,
            [=](std::vector<event>* stored, caf::error* err) mutable {
              if (err)
                rp.deliver(*err);
              else
                rp.deliver(std::move(*stored));
            });
    return;
  }
  auto& st = self->state;
  auto account_id = events.front().account_id;
  if (st.restored.count(partition_of(self, account_id)) == 0) {
    // Its keys are not all read yet: deciding now could write twice.
    rp.deliver(make_error(error_code::not_ready,
                          "the event index is still being restored"));
    return;
  }
  auto now_ms = now_ns() / 1'000'000;
  auto v = st.keys.check(account_id, key, body_hash,
                         static_cast<uint32_t>(events.size()), events_since,
                         now_ms);
  // This very publish, checked again later (made only when needed: it
  // copies the events).
  auto later = [&] {
    return [=]() mutable {
      publish_events(self, rp, std::move(events), key, body_hash,
                     events_since);
    };
  };
  switch (v.what) {
    case kind::reused:
      rp.deliver(make_error(error_code::idempotency_key_reused,
                            "Idempotency-Key '" + key
                              + "' was used before with another body; use "
                                "a new key for new events"));
      return;
    case kind::busy:
      // One attempt per key at a time: this one answers as that one did.
      st.keys.wait(account_id, key, later());
      return;
    case kind::replay:
      global_metrics().idempotent_replays.Increment();
      rp.deliver(std::move(v.landed));
      return;
    case kind::unsettled:
      // A failed attempt may have landed parts this node has not read yet:
      // read up to the broker's end before deciding what is missing.
      st.keys.begin(account_id, key, now_ms);
      catch_up(self, account_id, [=, again = later()](caf::error* err) mutable {
        if (err) {
          rp.deliver(*err);
          end_attempt(self, account_id, key, true);
          return;
        }
        auto waiting = self->state.keys.end(account_id, key, false);
        again();
        for (auto& w : waiting)
          w();
      });
      return;
    case kind::fresh:
    case kind::resume:
      break;
  }
  st.keys.begin(account_id, key, now_ms);
  keyed mark{key, body_hash, now_ms};
  auto landed = std::move(v.landed);
  auto missing = v.missing;
  produce(self, std::move(events), missing, &mark,
          [=](std::vector<event>* stored, caf::error* err) mutable {
            if (err) {
              rp.deliver(*err);
              end_attempt(self, account_id, key, true);
              return;
            }
            if (landed.empty()) {
              rp.deliver(std::move(*stored));
            } else {
              // A resumed batch answers whole, in the order of its parts.
              for (size_t i = 0; i < missing.size(); ++i)
                landed[missing[i]] = (*stored)[i];
              global_metrics().idempotent_replays.Increment();
              rp.deliver(std::move(landed));
            }
            end_attempt(self, account_id, key, false);
          });
}

} // namespace logbase
