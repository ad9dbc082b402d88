#include "actors/account_table.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "messages/caf_errors.hpp"
#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/log.hpp"
#include "src/metrics.hpp"
#include "src/time.hpp"

namespace logbase {

using self_ptr = account_table_self;

// -- commands ------------------------------------------------------------------

namespace {

caf::error not_ready() {
  return make_error(error_code::not_ready,
                    "the account table is still being restored");
}

/// Produces one record and calls `on_applied` once it is read back.
void write(self_ptr self, out_record rec, std::function<void()> on_applied,
           std::function<void(const caf::error&)> on_error) {
  self
    ->request(self->state.bridge, self->state.write_timeout(), produce_atom::value,
              std::vector<out_record>{std::move(rec)})
    .then(
      [=](const std::vector<delivery>& ds) {
        global_metrics().account_writes.Increment();
        auto& d = ds.front();
        if (!self->state.applied.wait(d.partition, d.offset, on_applied))
          on_applied();
      },
      [=](const caf::error& err) {
        on_error(kafka_timeout_as_unavailable(err));
      });
}

out_record account_record(const account& a) {
  out_record r;
  r.topic_id = id_of(topic::accounts);
  r.key = encode_long_key(a.id);
  r.value = account_record_value(a);
  return r;
}

using on_written = std::function<void(const account&, bool created)>;
using on_failed = std::function<void(const caf::error&)>;

/// PUT at an id, once the events offset of a new incarnation is known.
void put_with_since(self_ptr self, int64_t id, const std::string& name,
                    int64_t if_match, int64_t events_since, on_written ok,
                    on_failed fail) {
  auto& st = self->state;
  auto plan = st.store.plan_put(id, name, if_match, events_since);
  if (!plan) {
    fail(make_error(plan.error()));
    st.done(id);
    return;
  }
  bool created = st.store.find(id) == nullptr;
  auto a = *plan;
  write(
    self, account_record(a),
    [=] {
      ok(a, created);
      self->state.done(id);
    },
    [=](const caf::error& err) {
      fail(err);
      self->state.done(id);
    });
}

/// PUT: a new incarnation starts after the events already on its partition,
/// so that events of a deleted predecessor never show.
void put(self_ptr self, int64_t id, std::string name, int64_t if_match,
         on_written ok, on_failed fail) {
  self->state.exclusive(id, [=] {
    auto& st = self->state;
    if (st.store.find(id) != nullptr) {
      put_with_since(self, id, name, if_match, 0, ok, fail);
      return;
    }
    self
      ->request(st.bridge, self->state.query_timeout(), watermark_atom::value,
                id_of(topic::events), st.events_partition_of(id))
      .then(
        [=](int64_t end) {
          put_with_since(self, id, name, if_match, end, ok, fail);
        },
        [=](const caf::error& err) {
          fail(kafka_timeout_as_unavailable(err));
          self->state.done(id);
        });
  });
}

void patch(self_ptr self, caf::typed_response_promise<account> rp, int64_t id,
           std::string name, int64_t if_match) {
  self->state.exclusive(id, [=]() mutable {
    auto plan = self->state.store.plan_patch(id, name, if_match);
    if (!plan) {
      rp.deliver(make_error(plan.error()));
      self->state.done(id);
      return;
    }
    auto a = *plan;
    write(
      self, account_record(a),
      [=]() mutable {
        rp.deliver(a);
        self->state.done(id);
      },
      [=](const caf::error& err) mutable {
        rp.deliver(err);
        self->state.done(id);
      });
  });
}

void remove(self_ptr self, caf::typed_response_promise<ok_atom> rp, int64_t id,
            int64_t if_match) {
  self->state.exclusive(id, [=]() mutable {
    if (auto f = self->state.store.check_delete(id, if_match)) {
      rp.deliver(make_error(*f));
      self->state.done(id);
      return;
    }
    out_record r;
    r.topic_id = id_of(topic::accounts);
    r.key = encode_long_key(id);
    r.tombstone = true;
    write(
      self, std::move(r),
      [=]() mutable {
        rp.deliver(ok_atom::value);
        self->state.done(id);
      },
      [=](const caf::error& err) mutable {
        rp.deliver(err);
        self->state.done(id);
      });
  });
}

/// Lists once this node's table holds every write acknowledged anywhere
/// before the request. If the broker cannot say where the ends are, no
/// write can have been acknowledged since either, and the table is
/// answered as it is.
void list_caught_up(self_ptr self,
                    caf::typed_response_promise<std::vector<account>> rp,
                    int64_t after, int64_t limit) {
  auto answer = [=]() mutable {
    rp.deliver(self->state.store.list(after, static_cast<size_t>(limit)));
  };
  when_caught_up(self, answer, [=](const caf::error&) mutable { answer(); });
}

/// The broker could not say where `accounts` ends: ask again this long
/// after (a takeover waits; its partitions answer 503 meanwhile).
constexpr auto takeover_retry = std::chrono::milliseconds{500};

} // namespace

void when_caught_up(self_ptr self, std::function<void()> then,
                    std::function<void(const caf::error&)> failed) {
  self
    ->request(self->state.bridge, self->state.query_timeout(), ends_atom::value,
              id_of(topic::accounts))
    .then(
      [=](const std::vector<int64_t>& ends) mutable {
        auto pending = std::make_shared<size_t>(0);
        auto one_done = [=]() mutable {
          if (--*pending == 0)
            then();
        };
        for (int32_t p = 0; p < static_cast<int32_t>(ends.size()); ++p)
          if (ends[p] > 0 && !self->state.applied.reached(p, ends[p] - 1))
            ++*pending;
        if (*pending == 0) {
          then();
          return;
        }
        for (int32_t p = 0; p < static_cast<int32_t>(ends.size()); ++p)
          if (ends[p] > 0)
            self->state.applied.wait(p, ends[p] - 1, one_done);
      },
      [=](const caf::error& err) mutable { failed(err); });
}

void take_partitions(self_ptr self, uint64_t ticket) {
  auto done = [=] {
    auto& st = self->state;
    auto t = st.takeovers.find(ticket);
    if (t == st.takeovers.end())
      return;
    for (auto i = st.catching_up.begin(); i != st.catching_up.end();)
      i = i->second == ticket ? st.catching_up.erase(i) : std::next(i);
    log(log_level::debug, "account_table", "holds the accounts of partitions "
        "taken in ", (now_ns() - t->second.started_ns) / 1'000'000, " ms");
    t->second.promise.deliver(ok_atom::value);
    st.takeovers.erase(t);
  };
  when_caught_up(self, done, [=](const caf::error& err) {
    auto& cu = self->state.catching_up;
    if (std::none_of(cu.begin(), cu.end(),
                     [&](auto& c) { return c.second == ticket; })) {
      done(); // all released again meanwhile
      return;
    }
    log(log_level::warn, "account_table", "taken partitions wait: ",
        to_failure(err).message);
    self->delayed_send(self, takeover_retry, own_atom::value, ticket);
  });
}

// -- behavior ------------------------------------------------------------------

account_table_actor::behavior_type
account_table(self_ptr self, config cfg, topic_layout layout,
              kafka_bridge_actor bridge, event_log_actor events,
              stats_actor stats,
              std::vector<account_listener_actor> listeners) {
  auto& st = self->state;
  st.self = self;
  st.cfg = std::move(cfg);
  st.layout = layout;
  st.bridge = bridge;
  st.events = std::move(events);
  st.stats = std::move(stats);
  st.listeners = std::move(listeners);
  auto parts = all_partitions(topic::accounts, layout.of(topic::accounts));
  parts.push_back(assignment{id_of(topic::id_blocks), 0, -2});
  self->send(bridge, subscribe_atom::value, parts,
             caf::actor_cast<record_sink_actor>(self));
  return {
    [=](get_atom, int64_t id) -> caf::result<account> {
      if (auto no = self->state.refusal(id))
        return std::move(*no);
      if (auto* a = self->state.store.find(id))
        return *a;
      return make_error(account_not_found(id));
    },
    [=](list_atom, int64_t after, int64_t limit)
      -> caf::result<std::vector<account>> {
      if (!self->state.ready)
        return not_ready();
      if (!self->state.cfg.linked())
        return self->state.store.list(after, static_cast<size_t>(limit));
      auto rp = self->make_response_promise<std::vector<account>>();
      list_caught_up(self, rp, after, limit);
      return rp;
    },
    [=](reserve_atom) -> caf::result<int64_t> {
      if (!self->state.ready)
        return not_ready();
      auto rp = self->make_response_promise<int64_t>();
      reserve_id(self, rp);
      return rp;
    },
    [=](put_atom, int64_t id, std::string& name,
        int64_t if_match) -> caf::result<account, bool> {
      if (auto no = self->state.refusal(id))
        return std::move(*no);
      auto rp = self->make_response_promise<account, bool>();
      put(
        self, id, std::move(name), if_match,
        [=](const account& a, bool created) mutable { rp.deliver(a, created); },
        [=](const caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
    [=](patch_atom, int64_t id, std::string& name,
        int64_t if_match) -> caf::result<account> {
      if (auto no = self->state.refusal(id))
        return std::move(*no);
      auto rp = self->make_response_promise<account>();
      patch(self, rp, id, std::move(name), if_match);
      return rp;
    },
    [=](delete_atom, int64_t id, int64_t if_match) -> caf::result<ok_atom> {
      if (auto no = self->state.refusal(id))
        return std::move(*no);
      auto rp = self->make_response_promise<ok_atom>();
      remove(self, rp, id, if_match);
      return rp;
    },
    [=](publish_atom, int64_t id, std::vector<event>& events,
        std::string& key,
        uint64_t body_hash) -> caf::result<std::vector<event>> {
      if (auto no = self->state.refusal(id))
        return std::move(*no);
      for (auto& e : events)
        if (e.account_id != id)
          return make_error(error_code::internal_error,
                            "an event of another account in a publish");
      auto rp = self->make_response_promise<std::vector<event>>();
      publish_events(self, rp, id, std::move(events), std::move(key),
                     body_hash);
      return rp;
    },
    [=](query_atom, event_query& q) -> caf::result<std::string> {
      if (auto no = self->state.refusal(q.account_id))
        return std::move(*no);
      auto* a = self->state.store.find(q.account_id);
      if (a == nullptr)
        return make_error(account_not_found(q.account_id));
      q.events_since = a->events_since;
      return self->delegate(self->state.events, query_atom::value,
                            std::move(q));
    },
    [=](query_atom,
        stats_query& q) -> caf::result<std::vector<daily_count>> {
      if (auto no = self->state.refusal(q.account_id))
        return std::move(*no);
      if (self->state.store.find(q.account_id) == nullptr)
        return make_error(account_not_found(q.account_id));
      return self->delegate(self->state.stats, query_atom::value,
                            std::move(q));
    },
    [=](ready_atom)
      -> caf::result<int32_t, int32_t, std::vector<int32_t>> {
      if (!self->state.feed_error.empty())
        return make_error(error_code::not_ready, self->state.feed_error);
      return {self->state.restored_partitions(),
              self->state.total_partitions(), std::vector<int32_t>{}};
    },
    [=](records_atom, const record_batch& batch) {
      self->state.on_records(batch);
    },
    [=](error_atom, std::string& why) {
      log(log_level::error, "account_table", "cannot read accounts: ", why);
      self->state.feed_error = std::move(why);
    },
    [=](own_atom, const std::vector<int32_t>& taken,
        const std::vector<int32_t>& released) -> caf::result<ok_atom> {
      auto& st = self->state;
      // Writes in flight finish (their readers wait for them); new ones
      // are refused from now on.
      for (auto p : released) {
        st.owned.erase(p);
        st.catching_up.erase(p);
      }
      if (taken.empty())
        return ok_atom::value;
      auto ticket = ++st.last_ticket;
      for (auto p : taken) {
        st.owned.insert(p);
        st.catching_up[p] = ticket;
      }
      auto rp = self->make_response_promise<ok_atom>();
      st.takeovers.emplace(ticket, account_table_state::takeover{rp, now_ns()});
      take_partitions(self, ticket);
      return rp;
    },
    [=](own_atom, uint64_t ticket) { take_partitions(self, ticket); },
    [=](tick_atom) {
      auto& st = self->state;
      st.expire_publishes(self->clock().now());
      if (st.publishes.size() == 0) {
        st.ticking = false;
        return;
      }
      self->delayed_send(self, st.publish_tick, tick_atom::value);
    },
  };
}

} // namespace logbase
