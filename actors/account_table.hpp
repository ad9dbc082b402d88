#pragma once

/// The account table actor: sole owner of the account table. Restores it
/// from the compacted `accounts` topic, validates commands against it,
/// writes them through the Kafka bridge and answers once the write is both
/// durable and applied (read-your-writes). Writes to one account run one at
/// a time; server-assigned ids come from claimed blocks (see id_blocks.hpp).

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "src/account_store.hpp"
#include "src/config.hpp"
#include "src/deadline_book.hpp"
#include "src/id_blocks.hpp"
#include "src/key_gate.hpp"
#include "messages/interfaces.hpp"
#include "src/topics.hpp"
#include "src/offset_waiters.hpp"
#include "src/skipped_records.hpp"

namespace logbase {

struct account_table_state {
  static inline const char* name = "account_table";

  account_table_actor::pointer self = nullptr;
  config cfg;
  topic_layout layout;
  kafka_bridge_actor bridge;
  /// This node's event log and statistics: an account's events are
  /// published, listed and counted through its table.
  event_log_actor events;
  stats_actor stats;
  std::vector<account_listener_actor> listeners;

  account_store store;
  id_blocks ids;
  skipped_records skipped{"account_table"};
  /// Writes waiting to be read back from `accounts`.
  offset_waiters<std::function<void()>> applied;
  /// Our id block claims waiting to be read back.
  offset_waiters<std::function<void()>> claims_read;

  std::set<int32_t> restored; ///< accounts partitions read to their end
  bool id_blocks_restored = false;
  bool ready = false;
  /// Why Kafka cannot be read, if it cannot: /ready stays 503.
  std::string feed_error;

  /// Orders the commands on each account: writes alone, publishes side
  /// by side (see key_gate.hpp).
  key_gate gate;
  /// Creates waiting for an id block: called with nullptr to go on, or
  /// with the error that failed the claim.
  std::deque<std::function<void(const caf::error*)>> waiting_for_id;
  bool claiming = false;

  /// An event publish in flight, and whether it still holds its account's
  /// gate (until the event log answers; counting comes after).
  struct publish_hold {
    caf::typed_response_promise<std::vector<event>> promise;
    int64_t account_id = 0;
    bool holds_gate = true;
  };
  /// Publishes in flight, with the deadline past which they are answered
  /// 503 and their account is unlocked: the event log and the statistics
  /// always answer, but an event that never gets indexed (the broker gone
  /// after the write) must not keep the account locked.
  deadline_book<publish_hold> publishes;
  static constexpr std::chrono::milliseconds publish_tick{100};
  bool ticking = false;

  /// Answers the publishes past their deadline and unlocks their accounts.
  void expire_publishes(deadline_book<publish_hold>::time_point now);

  /// Applies a poll's records; answers the writes they complete.
  void on_records(const record_batch& batch);

  /// Runs `command` when no other command on `id` is in flight.
  void exclusive(int64_t id, std::function<void()> command) {
    gate.enter(id, key_gate::mode::exclusive, std::move(command));
  }

  /// The write to `id` is answered: start what waits behind it.
  void done(int64_t id) {
    gate.leave(id, key_gate::mode::exclusive);
  }

  int32_t events_partition_of(int64_t id) const;

  /// The `events` partitions whose accounts this table writes and answers
  /// for (the group's share of this node); the others' go to their owners.
  std::set<int32_t> owned;

  /// Partitions taken whose accounts may not all be here yet: another
  /// node's last writes reach this one up to a second late. Refused, by
  /// ticket of their takeover, until the table has read `accounts` to the
  /// ends the broker gave after the takeover (when_caught_up).
  std::map<int32_t, uint64_t> catching_up;
  /// Takeovers not yet answered, by ticket.
  struct takeover {
    caf::typed_response_promise<ok_atom> promise;
    int64_t started_ns = 0;
  };
  std::map<uint64_t, takeover> takeovers;
  uint64_t last_ticket = 0;

  /// Why this table cannot answer for an account now, if it cannot.
  std::optional<caf::error> refusal(int64_t id) const;

  std::chrono::milliseconds write_timeout() const;
  std::chrono::milliseconds query_timeout() const;

  int32_t total_partitions() const {
    return layout.of(topic::accounts) + 1;
  }

  int32_t restored_partitions() const {
    return static_cast<int32_t>(restored.size()) + (id_blocks_restored ? 1 : 0);
  }

private:
  void apply_account_record(const in_record& r);
  void maybe_ready();
};

using account_table_self
  = account_table_actor::stateful_pointer<account_table_state>;

/// Answers a fresh server-assigned id, claiming a block first if needed
/// (account_ids.cpp). POST writes it with a create-only PUT on its owner.
void reserve_id(account_table_self self,
                caf::typed_response_promise<int64_t> rp);

/// Calls `then` once this table holds every account write acknowledged
/// anywhere before the call (another node may have written), or `failed`
/// when the broker cannot say where `accounts` ends.
void when_caught_up(account_table_self self, std::function<void()> then,
                    std::function<void(const caf::error&)> failed);

/// Takes `events` partitions (a takeover's ticket): answered, and their
/// accounts served, once the table holds the old owner's last writes too.
/// The node tells the event log and the statistics only then: the
/// statistics count live accounts alone, and forget the counts of accounts
/// they do not know.
void take_partitions(account_table_self self, uint64_t ticket);

/// Publishes events of an existing account (account_events.cpp): durable,
/// indexed, then counted; never beside a PUT, PATCH or DELETE of it. With
/// an idempotency key (else "") and the body's hash: see event_log.
void publish_events(account_table_self self,
                    caf::typed_response_promise<std::vector<event>> rp,
                    int64_t id, std::vector<event> events, std::string key,
                    uint64_t body_hash);

account_table_actor::behavior_type
account_table(account_table_actor::stateful_pointer<account_table_state> self,
              config cfg, topic_layout layout, kafka_bridge_actor bridge,
              event_log_actor events, stats_actor stats,
              std::vector<account_listener_actor> listeners);

} // namespace logbase
