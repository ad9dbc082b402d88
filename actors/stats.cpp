#include "actors/stats.hpp"

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "src/record_checks.hpp"
#include "actors/standby_promotion.hpp"

namespace logbase {

using self_ptr = stats_actor::stateful_pointer<stats_state>;

void stats_state::on_records(const record_batch& batch) {
  std::set<int32_t> moved;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    auto& r = batch.records[i];
    if (owned.count(r.partition) == 0 && standby.count(r.partition) == 0)
      continue; // released: fetched before the feed let it go
    if (r.topic_id == id_of(topic::stats_changelog)) {
      // Once restored, what comes is our own commits: memory is ahead of
      // them, so they must not be applied again.
      if (changelog_restored.count(r.partition) == 0)
        if (auto why = stats.restore(r, layout.of(topic::events)))
          skipped.report(topic::stats_changelog, *why,
                         cfg.topic_name(topic::stats_changelog), r.partition,
                         r.offset);
      continue;
    }
    auto checked = event_at(batch, i, layout.of(topic::events));
    if (auto* e = std::get_if<event>(&checked)) {
      stats.count(*e, r.partition, r.offset);
    } else {
      // The event log counts and logs skipped events; skip it here.
      stats.skip(r.partition, r.offset);
    }
    moved.insert(r.partition);
  }
  for (auto& end : batch.reached_end) {
    if (end.topic_id == id_of(topic::stats_changelog)
        && (standby.count(end.partition) > 0
            || promoting.count(end.partition) > 0)) {
      auto& seen = changelog_end_seen[end.partition];
      seen = std::max(seen, end.start_offset);
      check_promoted(end.partition);
      continue;
    }
    if (owned.count(end.partition) == 0)
      continue;
    if (end.topic_id == id_of(topic::stats_changelog)) {
      if (changelog_restored.insert(end.partition).second
          && static_cast<int32_t>(changelog_restored.size())
               == owned_count())
        log(log_level::info, "stats", "restored ", stats.windows(),
            " daily windows from the changelog");
    } else {
      events_caught_up.insert(end.partition);
      // Nothing at or past the end is unread.
      if (end.start_offset > stats.next_offset(end.partition))
        stats.skip(end.partition, end.start_offset - 1);
      moved.insert(end.partition);
    }
  }
  for (auto p : moved)
    for (auto& rp : counted.advance(p, stats.next_offset(p)))
      rp.deliver(ok_atom::value);
  global_metrics().stats_windows.Set(static_cast<double>(stats.windows()));
  maybe_read_events();
}

void stats_state::on_accounts(const std::vector<account>& live,
                              const std::vector<int64_t>& gone,
                              bool snapshot) {
  for (auto& a : live)
    stats.set_live(a.id, a.events_since);
  for (auto id : gone)
    stats.forget(id);
  if (snapshot) {
    accounts_known = true;
    maybe_read_events();
  }
}

void stats_state::maybe_read_events() {
  if (!accounts_known)
    return;
  std::vector<assignment> parts;
  for (auto p : changelog_restored)
    if (owned.count(p) > 0 && events_reading.insert(p).second)
      parts.push_back(assignment{id_of(topic::events), p, stats.next_offset(p)});
  if (parts.empty())
    return;
  // Counts of accounts deleted (or re-created) while no node counted them
  // go now.
  stats.reconcile();
  self->send(bridge, subscribe_atom::value, parts,
             caf::actor_cast<record_sink_actor>(self));
}

std::optional<caf::error> stats_state::refusal(int64_t account_id) const {
  auto p = partition_for(encode_long_key(account_id), layout.of(topic::events));
  return partition_refusal(account_id, owned.count(p) > 0,
                           events_caught_up.count(p) > 0, "the statistics");
}

void stats_state::own(const std::vector<int32_t>& taken,
                      const std::vector<int32_t>& released,
                      caf::typed_response_promise<ok_atom> rp) {
  owning_known = true;
  std::vector<int32_t> gone;
  for (auto p : released)
    if (owned.erase(p) > 0) {
      gone.push_back(p);
      releasing.insert(p);
      // Durable events: another node counts them now.
      for (auto& w : counted.advance(p, INT64_MAX))
        w.deliver(ok_atom::value);
      counted.reset(p);
    }
  std::vector<int32_t> fresh;
  for (auto p : taken) {
    standby_after_release.erase(p);
    if (!owned.insert(p).second || releasing.erase(p) > 0)
      continue; // (one still being released is still read)
    if (standby.erase(p) > 0)
      promote(p); // its changelog is read already: only the tail is missing
    else
      fresh.push_back(p);
  }
  if (!fresh.empty())
    self->send(bridge, subscribe_atom::value,
               these_partitions(topic::stats_changelog, fresh),
               caf::actor_cast<record_sink_actor>(self));
  if (gone.empty()) {
    rp.deliver(ok_atom::value);
    return;
  }
  // Their counts are committed first, so that the next owner restores
  // them rather than counting again (either is exact: counts and
  // checkpoint commit together).
  after_changes_committed([this, gone, rp]() mutable {
    std::vector<assignment> parts;
    for (auto p : gone) {
      if (releasing.erase(p) == 0)
        continue; // taken back meanwhile: still read, still counted
      changelog_restored.erase(p);
      events_reading.erase(p);
      events_caught_up.erase(p);
      forget_partition(p);
      parts.push_back(assignment{id_of(topic::stats_changelog), p, -1});
      parts.push_back(assignment{id_of(topic::events), p, -1});
    }
    if (!parts.empty())
      self->send(bridge, release_atom::value, parts,
                 caf::actor_cast<record_sink_actor>(self));
    std::vector<int32_t> warm;
    for (auto p : gone)
      if (standby_after_release.erase(p) > 0)
        warm.push_back(p);
    follow_standbys(warm);
    global_metrics().stats_windows.Set(static_cast<double>(stats.windows()));
    rp.deliver(ok_atom::value);
  });
}

void stats_state::forget_partition(int32_t partition) {
  promoting.erase(partition);
  changelog_end_seen.erase(partition);
  stats.drop_partition(partition, [&](int64_t id) {
    return partition_for(encode_long_key(id), layout.of(topic::events))
           == partition;
  });
}

void stats_state::stand_by(const std::vector<int32_t>& taken,
                           const std::vector<int32_t>& released) {
  std::vector<assignment> gone;
  for (auto p : released) {
    standby_after_release.erase(p);
    if (standby.erase(p) > 0) {
      forget_partition(p);
      gone.push_back(assignment{id_of(topic::stats_changelog), p, -1});
    }
  }
  if (!gone.empty())
    self->send(bridge, release_atom::value, gone,
               caf::actor_cast<record_sink_actor>(self));
  for (auto p : taken)
    if (releasing.count(p) > 0)
      standby_after_release.insert(p);
  follow_standbys(taken);
}

void stats_state::follow_standbys(const std::vector<int32_t>& taken) {
  stand_by_for(self, bridge, topic::stats_changelog, taken, standby,
               [this](int32_t p) {
                 return owned.count(p) > 0 || releasing.count(p) > 0;
               });
}

void stats_state::promote(int32_t partition) {
  // The changelog's last stable offset: an open transaction of a killed
  // owner ends it (and is aborted later).
  ask_promotion_end(self, bridge, topic::stats_changelog, partition,
                    std::chrono::milliseconds{cfg.write_timeout_ms},
                    promoting, [this](int32_t p) { check_promoted(p); });
}

void stats_state::check_promoted(int32_t partition) {
  auto seen = changelog_end_seen.find(partition);
  if (!promotion_reached(promoting, partition,
                         seen == changelog_end_seen.end() ? 0 : seen->second))
    return;
  changelog_end_seen.erase(partition);
  changelog_restored.insert(partition);
  maybe_read_events();
}

void stats_state::after_changes_committed(std::function<void()> f) {
  if (committing) {
    // The commit in flight holds older changes: then one more.
    after_commit.push_back([this, f = std::move(f)]() mutable {
      after_changes_committed(std::move(f));
    });
    return;
  }
  if (commit())
    after_commit.push_back(std::move(f));
  else
    f();
}

bool stats_state::commit() {
  // Nothing is written before some partition counts: the changelog is read
  // back until then.
  if (committing || events_reading.empty())
    return false;
  auto records = stats.take_changes(id_of(topic::stats_changelog));
  if (records.empty())
    return false;
  // Count records go to the partition of the account's events.
  for (auto& r : records)
    if (r.partition < 0)
      r.partition = partition_of_account_key(r.key);
  // A warm copy forgets deleted accounts as their owner does, but only the
  // owner writes that down.
  if (!standby.empty())
    std::erase_if(records, [this](const out_record& r) {
      return standby.count(r.partition) > 0;
    });
  if (records.empty())
    return false;
  committing = true;
  auto timeout = std::chrono::milliseconds{cfg.write_timeout_ms + 5000};
  self->request(bridge, timeout, commit_atom::value, records)
    .then(
      [this](ok_atom) {
        committing = false;
        global_metrics().stats_commits.Increment();
        run_after_commit();
      },
      [this, records](const caf::error& err) {
        committing = false;
        global_metrics().stats_commit_failures.Increment();
        log(log_level::warn, "stats", "changelog commit failed, will retry: ",
            to_failure(err).message);
        stats.retry(records);
        run_after_commit();
      });
  return true;
}

void stats_state::run_after_commit() {
  for (auto& f : std::exchange(after_commit, {}))
    f();
}

int32_t stats_state::partition_of_account_key(const std::string& key) const {
  return partition_for(key.substr(0, 8), layout.of(topic::events));
}

stats_actor::behavior_type stats(self_ptr self, config cfg,
                                 topic_layout layout,
                                 kafka_bridge_actor bridge) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.layout = layout;
  st.bridge = bridge;
  st.ticking = true;
  self->send(self, tick_atom::value);
  // Ticks only while something is left to commit, so that an idle node
  // sleeps (ten ticks a second were a tenth of an idle server's CPU);
  // whatever may change counts starts them again.
  auto tick_later = [=] {
    auto& st = self->state;
    if (st.ticking)
      return;
    st.ticking = true;
    self->delayed_send(
      self, std::chrono::milliseconds{st.cfg.stats_commit_interval_ms},
      tick_atom::value);
  };
  return {
    [=](query_atom, const stats_query& q)
      -> caf::result<std::vector<daily_count>> {
      if (auto no = self->state.refusal(q.account_id))
        return std::move(*no);
      return self->state.stats.query(q);
    },
    [=](await_atom, int32_t partition, int64_t offset) -> caf::result<ok_atom> {
      auto rp = self->make_response_promise<ok_atom>();
      if (!self->state.counted.wait(partition, offset, rp))
        rp.deliver(ok_atom::value);
      return rp;
    },
    [=](ready_atom)
      -> caf::result<int32_t, int32_t, std::vector<int32_t>> {
      auto& st = self->state;
      if (auto no = progress_refusal(st.feed_error, st.owning_known))
        return std::move(*no);
      return {st.restored_partitions(), st.total_partitions(),
              still_restoring(st.owned, st.events_caught_up)};
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.ticking = false;
      st.commit();
      // A commit in flight may fail and leave its changes to write again.
      if (st.committing || st.stats.has_changes())
        tick_later();
    },
    [=](records_atom, const record_batch& batch) {
      self->state.on_records(batch);
      tick_later();
    },
    [=](error_atom, std::string& why) {
      log(log_level::error, "stats", "cannot read Kafka: ", why);
      self->state.feed_error = std::move(why);
    },
    [=](account_atom, const std::vector<account>& live,
        const std::vector<int64_t>& gone, bool snapshot) {
      self->state.on_accounts(live, gone, snapshot);
      tick_later();
    },
    [=](standby_atom, const std::vector<int32_t>& taken,
        const std::vector<int32_t>& released) {
      self->state.stand_by(taken, released);
      tick_later();
    },
    [=](own_atom, const std::vector<int32_t>& taken,
        const std::vector<int32_t>& released) -> caf::result<ok_atom> {
      auto rp = self->make_response_promise<ok_atom>();
      self->state.own(taken, released, rp);
      tick_later();
      return rp;
    },
  };
}

} // namespace logbase
