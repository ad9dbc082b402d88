#include "actors/event_log.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/event_listing.hpp"
#include "src/idempotency.hpp"
#include "src/json.hpp"
#include "actors/account_stream.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "src/record_checks.hpp"
#include "actors/standby_promotion.hpp"
#include "src/time.hpp"

namespace logbase {

using self_ptr = event_log_self;

int32_t event_log_state::partition_of(int64_t account_id) const {
  return partition_for(encode_long_key(account_id), layout.of(topic::events));
}

std::optional<caf::error>
event_log_state::refusal(int64_t account_id) const {
  auto p = partition_of(account_id);
  return partition_refusal(account_id, owned.count(p) > 0,
                           restored.count(p) > 0, "the event index");
}

void event_log_state::drop(const std::vector<int32_t>& partitions) {
  if (partitions.empty())
    return;
  std::set<int32_t> dropped{partitions.begin(), partitions.end()};
  for (auto p : dropped)
    indexed.reset(p);
  self->send(bridge, release_atom::value,
             these_partitions(topic::events, partitions, -1),
             caf::actor_cast<record_sink_actor>(self));
  for (auto id : index.accounts())
    if (dropped.count(partition_of(id)) > 0) {
      index.forget(id);
      keys.forget(id);
    }
  for (auto& [id, ks] : streams)
    if (dropped.count(partition_of(id)) > 0)
      self->send(ks, end_atom::value,
                 std::string{"the account moved to another node; "
                             "reconnect with Last-Event-ID"});
}

void event_log_state::own(const std::vector<int32_t>& taken,
                          const std::vector<int32_t>& released) {
  owning_known = true;
  std::vector<int32_t> gone;
  for (auto p : released) {
    if (owned.erase(p) == 0)
      continue;
    restored.erase(p);
    promoting.erase(p);
    gone.push_back(p);
    // Waiting publishes of the partition: their events are durable, but
    // another node indexes and counts them now.
    for (auto& answer : indexed.advance(p, INT64_MAX))
      answer();
  }
  drop(gone);
  std::vector<int32_t> fresh;
  for (auto p : taken) {
    if (!owned.insert(p).second)
      continue;
    if (standby.erase(p) > 0)
      promote(p); // indexed already: only the tail is missing
    else
      fresh.push_back(p);
  }
  if (!fresh.empty())
    self->send(bridge, subscribe_atom::value,
               these_partitions(topic::events, fresh),
               caf::actor_cast<record_sink_actor>(self));
  ready = static_cast<int32_t>(restored.size()) >= total_partitions();
  global_metrics().events_indexed.Set(static_cast<double>(index.size()));
}

void event_log_state::stand_by(const std::vector<int32_t>& taken,
                               const std::vector<int32_t>& released) {
  std::vector<int32_t> gone;
  for (auto p : released)
    if (standby.erase(p) > 0)
      gone.push_back(p);
  drop(gone);
  stand_by_for(self, bridge, topic::events, taken, standby,
               [this](int32_t p) { return owned.count(p) > 0; });
}

void event_log_state::promote(int32_t partition) {
  ask_promotion_end(self, bridge, topic::events, partition,
                    std::chrono::milliseconds{cfg.write_timeout_ms},
                    promoting, [this](int32_t p) { check_promoted(p); });
}

void event_log_state::check_promoted(int32_t partition) {
  if (!promotion_reached(promoting, partition, indexed.position(partition)))
    return;
  restored.insert(partition);
  ready = static_cast<int32_t>(restored.size()) >= total_partitions();
}

void event_log_state::on_records(const record_batch& batch) {
  std::map<int32_t, int64_t> reached;
  std::map<int64_t, std::vector<event>> fresh; // by account, for streams
  auto now_ms = now_ns() / 1'000'000;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    auto& r = batch.records[i];
    if (owned.count(r.partition) == 0 && standby.count(r.partition) == 0)
      continue; // released: fetched before the feed let it go
    reached[r.partition] = r.offset + 1;
    if (r.offset < indexed.position(r.partition))
      continue; // read before
    auto checked = event_at(batch, i, layout.of(topic::events));
    if (auto* why = std::get_if<record_fault>(&checked)) {
      skipped.report(topic::events, *why, cfg.events_topic, r.partition,
                     r.offset);
      continue;
    }
    auto e = std::optional<event>{std::move(std::get<event>(checked))};
    index.add(*e, r.offset);
    if (auto* h = find_header(r.headers, idempotency_record_header))
      if (auto mark = decode_mark(*h)) {
        e->offset = r.offset;
        keys.on_record(*mark, *e, now_ms);
      }
    if (streams.count(e->account_id) > 0) {
      e->offset = r.offset;
      fresh[e->account_id].push_back(std::move(*e));
    }
  }
  for (auto& end : batch.reached_end) {
    if (owned.count(end.partition) == 0 && standby.count(end.partition) == 0)
      continue;
    if (owned.count(end.partition) > 0 && promoting.count(end.partition) == 0)
      restored.insert(end.partition);
    auto& at = reached[end.partition];
    at = std::max(at, end.start_offset);
  }
  for (auto& [account_id, events] : fresh)
    self->send(streams[account_id], stream_atom::value, std::move(events));
  for (auto& [partition, next] : reached) {
    for (auto& answer : indexed.advance(partition, next))
      answer();
    check_promoted(partition);
  }
  global_metrics().events_indexed.Set(static_cast<double>(index.size()));
  global_metrics().idempotency_keys.Set(static_cast<double>(keys.size()));
  if (!ready && owning_known
      && static_cast<int32_t>(restored.size()) >= total_partitions()) {
    ready = true;
    expire();
    log(log_level::info, "event_log", "restored ", index.size(), " events");
  }
}

void event_log_state::on_accounts(const std::vector<int64_t>& gone) {
  for (auto id : gone) {
    index.forget(id);
    keys.forget(id);
    auto s = streams.find(id);
    if (s != streams.end())
      self->send(s->second, end_atom::value,
                 std::string{"the account was deleted"});
  }
  global_metrics().events_indexed.Set(static_cast<double>(index.size()));
}

int64_t event_log_state::horizon_ns() const {
  return now_ns() - cfg.events_retention_ms * 1'000'000;
}

void event_log_state::expire() {
  auto n = index.expire(horizon_ns());
  global_metrics().events_expired.Increment(static_cast<double>(n));
  global_metrics().events_indexed.Set(static_cast<double>(index.size()));
  global_metrics().event_index_bytes.Set(
    static_cast<double>(index.entry_bytes()));
  keys.expire(now_ns() / 1'000'000);
  global_metrics().idempotency_keys.Set(static_cast<double>(keys.size()));
}

void event_log_state::join(const event_query& q,
                           const stream_reader_actor& reader) {
  // Replay and registration happen in this one handler: every event indexed
  // later reaches the stream actor after the join, none is missed or doubled.
  // Between expiry ticks, the horizon still holds (as for a listing).
  auto from = q;
  from.from_ns = std::max(from.from_ns, horizon_ns());
  auto replay = index.query(from);
  auto& ks = streams[q.account_id];
  if (!ks)
    // Linked: stream actors end with the event log.
    ks = self->spawn<caf::linked>(account_stream, q.account_id);
  auto addr = caf::actor_cast<caf::actor_addr>(reader);
  if (readers[q.account_id].insert(addr).second) {
    global_metrics().stream_readers.Increment();
    reading[addr] = {q.account_id, reader};
    self->monitor(reader);
  }
  self->send(ks, join_atom::value, reader, std::move(replay));
}

void event_log_state::leave(int64_t account_id,
                            const stream_reader_actor& reader) {
  auto s = streams.find(account_id);
  auto addr = caf::actor_cast<caf::actor_addr>(reader);
  if (s == streams.end() || readers[account_id].erase(addr) == 0)
    return; // left before (a leave and a down may both come)
  global_metrics().stream_readers.Decrement();
  reading.erase(addr);
  self->demonitor(addr);
  self->send(s->second, leave_atom::value, reader);
  if (readers[account_id].empty()) {
    self->send_exit(s->second, caf::exit_reason::normal);
    streams.erase(s);
    readers.erase(account_id);
  }
}

void event_log_state::reader_down(const caf::actor_addr& addr) {
  auto r = reading.find(addr);
  if (r == reading.end())
    return;
  auto [account_id, reader] = r->second;
  leave(account_id, reader);
}

event_log_actor::behavior_type
event_log(self_ptr self, config cfg, topic_layout layout,
          kafka_bridge_actor bridge) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.layout = layout;
  st.bridge = bridge;
  st.keys = idempotency_keys{st.cfg.idempotency_window_seconds * 1000};
  self->send(self, tick_atom::value);
  self->set_down_handler([=](caf::down_msg& msg) {
    self->state.reader_down(msg.source);
  });
  return {
    [=](publish_atom, std::vector<event>& events, std::string& key,
        uint64_t body_hash,
        int64_t events_since) -> caf::result<std::vector<event>> {
      if (!events.empty())
        if (auto no = self->state.refusal(events.front().account_id))
          return std::move(*no);
      auto rp = self->make_response_promise<std::vector<event>>();
      publish_events(self, rp, std::move(events), std::move(key), body_hash,
                     events_since);
      return rp;
    },
    [=](query_atom, event_query& q) -> caf::result<std::string> {
      if (auto no = self->state.refusal(q.account_id))
        return std::move(*no);
      // Between expiry ticks, the horizon still holds.
      q.from_ns = std::max(q.from_ns, self->state.horizon_ns());
      // Rendered here, from the index: no events are built or sent.
      return listing_json(self->state.index, q);
    },
    [=](join_atom, const event_query& q, stream_reader_actor reader) {
      if (auto no = self->state.refusal(q.account_id)) {
        self->send(reader, end_atom::value,
                   std::string{"this node does not serve the account now; "
                               "reconnect with Last-Event-ID"});
        return;
      }
      self->state.join(q, reader);
    },
    [=](leave_atom, int64_t account_id, stream_reader_actor reader) {
      self->state.leave(account_id, reader);
    },
    [=](ready_atom)
      -> caf::result<int32_t, int32_t, std::vector<int32_t>> {
      auto& st = self->state;
      if (auto no = progress_refusal(st.feed_error, st.owning_known))
        return std::move(*no);
      return {static_cast<int32_t>(st.restored.size()), st.total_partitions(),
              still_restoring(st.owned, st.restored)};
    },
    [=](tick_atom) {
      self->state.expire();
      // Check often enough that short test retentions are honoured.
      auto every = std::clamp<int64_t>(self->state.cfg.events_retention_ms / 10,
                                       200, 60'000);
      self->delayed_send(self, std::chrono::milliseconds{every},
                         tick_atom::value);
    },
    [=](records_atom, const record_batch& batch) {
      self->state.on_records(batch);
    },
    [=](error_atom, std::string& why) {
      log(log_level::error, "event_log", "cannot read events: ", why);
      self->state.feed_error = std::move(why);
    },
    [=](account_atom, const std::vector<account>&,
        const std::vector<int64_t>& gone, bool) {
      self->state.on_accounts(gone);
    },
    [=](own_atom, const std::vector<int32_t>& taken,
        const std::vector<int32_t>& released) -> caf::result<ok_atom> {
      self->state.own(taken, released);
      return ok_atom::value;
    },
    [=](standby_atom, const std::vector<int32_t>& taken,
        const std::vector<int32_t>& released) {
      self->state.stand_by(taken, released);
    },
  };
}

} // namespace logbase
