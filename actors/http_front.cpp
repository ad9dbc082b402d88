#include "actors/http_front.hpp"

#include <caf/all.hpp>

#include "src/account_store.hpp"
#include "messages/caf_errors.hpp"
#include "src/json.hpp"

namespace logbase {

// -- answers -------------------------------------------------------------------

response failure_response(const caf::error& err) {
  return error_response(to_failure(err));
}

response published_response(const std::vector<event>& stored, bool batch) {
  if (!batch && stored.size() == 1)
    return json_response(201, event_json(stored.front()));
  return json_response(201, events_json(stored));
}

response ready_response(int32_t restored, int32_t total, bool answered,
                        const std::set<int32_t>& restoring) {
  bool ok = answered && restored >= total;
  auto r = json_response(ok ? 200 : 503,
                         ready_json(ok, restored, total,
                                    {restoring.begin(), restoring.end()}));
  if (!ok)
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

// -- state ---------------------------------------------------------------------

uint64_t http_front_state::open(reply_slot slot, kind k, time_point now) {
  auto d = k == kind::read ? read_deadline : write_deadline;
  return slots_.open(std::move(slot), now + d);
}

void http_front_state::finish(uint64_t id, front_reply reply) {
  if (auto slot = slots_.take(id)) // else timed out before
    (*slot)->deliver(std::move(reply));
}

size_t http_front_state::expire(time_point now) {
  return slots_.expire(now, [](reply_slot& slot) {
    slot->deliver({error_response({error_code::timeout,
                                   "the node that owns this account did "
                                   "not answer in time; try again"}),
                   std::nullopt});
  });
}

// -- behavior ------------------------------------------------------------------

namespace {

using self_ptr = http_front_self;
using kind = http_front_state::kind;

constexpr auto tick_interval = std::chrono::milliseconds(100);

void finish(self_ptr self, uint64_t id, response r) {
  self->state.finish(id, front_reply{std::move(r), std::nullopt});
}

auto fail_with(self_ptr self, uint64_t id) {
  return [=](const caf::error& err) { finish(self, id, failure_response(err)); };
}

/// Tracks a request and makes sure its deadline is checked.
uint64_t open(self_ptr self, reply_slot slot, kind k) {
  auto& st = self->state;
  auto id = st.open(std::move(slot), k, self->clock().now());
  if (!st.ticking) {
    st.ticking = true;
    self->delayed_send(self, tick_interval, tick_atom::value);
  }
  return id;
}

/// No CAF timer for this node's own stores (they always answer); another
/// node's may vanish, and CAF's timeout then frees the pending handler.
template <class Handle>
caf::duration timeout_for(self_ptr self, const Handle& h, kind k) {
  if (h.node() == self->node())
    return caf::duration{caf::infinite};
  auto& st = self->state;
  return caf::duration{k == kind::read ? st.read_deadline : st.write_deadline};
}

/// Calls `next` with the stores of the node that owns the account.
template <class F>
void with_owner(self_ptr self, int64_t account_id, uint64_t id, F next) {
  auto& st = self->state;
  if (!st.node) {
    next(st.local);
    return;
  }
  self->request(st.node, caf::infinite, route_atom::value, account_id)
    .then(
      [next](account_table_actor& a, event_log_actor& e,
             stats_actor& s) mutable {
        next(store_actors{std::move(a), std::move(e), std::move(s)});
      },
      fail_with(self, id));
}

/// Sums the restore progress of this node's three stores.
void ready(self_ptr self, uint64_t id) {
  struct progress {
    int32_t restored = 0;
    int32_t total = 0;
    std::set<int32_t> restoring;
    int answers = 0;
    bool failed = false;
  };
  auto p = std::make_shared<progress>();
  auto one = [=](int32_t restored, int32_t total,
                 const std::vector<int32_t>& restoring) {
    p->restored += restored;
    p->total += total;
    p->restoring.insert(restoring.begin(), restoring.end());
    if (++p->answers == 3)
      finish(self, id, ready_response(p->restored, p->total, !p->failed,
                                      p->restoring));
  };
  // A store that cannot say yet (say, before the group's first assignment)
  // counts as one part still to restore.
  auto failed = [=](const caf::error&) {
    p->failed = true;
    one(0, 1, {});
  };
  auto& l = self->state.local;
  self->request(l.accounts, caf::infinite, ready_atom::value).then(one, failed);
  self->request(l.events, caf::infinite, ready_atom::value).then(one, failed);
  self->request(l.stats, caf::infinite, ready_atom::value).then(one, failed);
}

/// POST /accounts: the id is reserved here (from blocks this node claimed),
/// then created on the node that owns it.
void create(self_ptr self, uint64_t id, const std::string& name) {
  auto& accounts = self->state.local.accounts;
  self->request(accounts, caf::infinite, reserve_atom::value)
    .then(
      [=](int64_t account_id) {
        with_owner(self, account_id, id, [=](const store_actors& o) {
          self
            ->request(o.accounts, timeout_for(self, o.accounts, kind::write),
                      put_atom::value, account_id, name, create_only)
            .then(
              [=](const account& a, bool) {
                finish(self, id, account_response(201, a, true));
              },
              fail_with(self, id));
        });
      },
      fail_with(self, id));
}

} // namespace

http_front_actor::behavior_type http_front(self_ptr self, const config& cfg,
                                           store_actors local,
                                           node_actor node) {
  auto& st = self->state;
  st.local = std::move(local);
  st.node = std::move(node);
  // Past the stores' own timeouts (each step of a write has one), so that
  // their more precise answer (503 broker_unavailable) comes first.
  st.write_deadline = std::chrono::milliseconds{cfg.write_timeout_ms * 2
                                                + 5000};
  // Asks the owner of `account_id` for `xs…` and answers with `ok(result…)`.
  auto ask_owner = [=](kind k, uint64_t id, int64_t account_id, auto ok,
                       auto... xs) {
    with_owner(self, account_id, id, [=](const store_actors& o) mutable {
      self
        ->request(o.accounts, timeout_for(self, o.accounts, k),
                  std::move(xs)...)
        .then(ok, fail_with(self, id));
    });
  };
  return {
    [=](ready_atom, reply_slot& slot) {
      ready(self, open(self, std::move(slot), kind::read));
    },
    [=](list_atom, int64_t after, int64_t limit, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::read);
      self
        ->request(self->state.local.accounts, caf::infinite, list_atom::value,
                  after, limit)
        .then(
          [=](const std::vector<account>& as) {
            finish(self, id, json_response(200, accounts_json(as)));
          },
          fail_with(self, id));
    },
    [=](create_atom, const std::string& name, reply_slot& slot) {
      create(self, open(self, std::move(slot), kind::write), name);
    },
    [=](get_atom, int64_t account_id, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::read);
      ask_owner(
        kind::read, id, account_id,
        [=](const account& a) {
          finish(self, id, account_response(200, a, false));
        },
        get_atom::value, account_id);
    },
    [=](put_atom, int64_t account_id, const std::string& name,
        int64_t if_match, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::write);
      ask_owner(
        kind::write, id, account_id,
        [=](const account& a, bool created) {
          finish(self, id, account_response(created ? 201 : 200, a, created));
        },
        put_atom::value, account_id, name, if_match);
    },
    [=](patch_atom, int64_t account_id, const std::string& name,
        int64_t if_match, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::write);
      ask_owner(
        kind::write, id, account_id,
        [=](const account& a) {
          finish(self, id, account_response(200, a, false));
        },
        patch_atom::value, account_id, name, if_match);
    },
    [=](delete_atom, int64_t account_id, int64_t if_match, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::write);
      ask_owner(
        kind::write, id, account_id,
        [=](ok_atom) {
          response r;
          r.status = 204;
          r.content_type.clear();
          finish(self, id, std::move(r));
        },
        delete_atom::value, account_id, if_match);
    },
    [=](publish_atom, int64_t account_id, std::vector<event>& events,
        bool batch, std::string& key, uint64_t body_hash, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::write);
      ask_owner(
        kind::write, id, account_id,
        [=](const std::vector<event>& stored) {
          finish(self, id, published_response(stored, batch));
        },
        publish_atom::value, account_id, std::move(events), std::move(key),
        body_hash);
    },
    [=](query_atom, event_query& q, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::read);
      ask_owner(
        kind::read, id, q.account_id,
        [=](std::string& listing) {
          finish(self, id, json_response(200, std::move(listing)));
        },
        query_atom::value, std::move(q));
    },
    [=](query_atom, stats_query& q, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::read);
      ask_owner(
        kind::read, id, q.account_id,
        [=](const std::vector<daily_count>& counts) {
          finish(self, id, json_response(200, daily_counts_json(counts)));
        },
        query_atom::value, std::move(q));
    },
    [=](join_atom, event_query& q, reply_slot& slot) {
      auto id = open(self, std::move(slot), kind::read);
      with_owner(self, q.account_id, id, [=](const store_actors& o) {
        self
          ->request(o.accounts, timeout_for(self, o.accounts, kind::read),
                    get_atom::value, q.account_id)
          .then(
            [=](const account& a) {
              auto grant = q;
              grant.events_since = a.events_since;
              self->state.finish(id, front_reply{response{},
                                                 stream_grant{o.events,
                                                              grant}});
            },
            fail_with(self, id));
      });
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.expire(self->clock().now());
      if (st.in_flight() == 0) {
        st.ticking = false;
        return;
      }
      self->delayed_send(self, tick_interval, tick_atom::value);
    },
  };
}

} // namespace logbase
