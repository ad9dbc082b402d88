#pragma once

/// The event log actor: owns the per-account index of the `events` topic
/// (every event on it, whoever produced it), publishes new events through
/// the Kafka bridge, answers lists from the index, applies the retention
/// horizon itself and feeds the per-account stream actors. It also keeps
/// the idempotency keys of the events it indexes (safe retries).

#include <map>
#include <optional>
#include <set>

#include <caf/typed_event_based_actor.hpp>

#include "src/config.hpp"
#include "src/event_index.hpp"
#include "src/idempotency_keys.hpp"
#include "messages/interfaces.hpp"
#include "src/topics.hpp"
#include "src/offset_waiters.hpp"
#include "src/skipped_records.hpp"

namespace logbase {

struct event_log_state {
  static inline const char* name = "event_log";

  event_log_actor::pointer self = nullptr;
  config cfg;
  topic_layout layout;
  kafka_bridge_actor bridge;

  event_index index;
  skipped_records skipped{"event_log"};
  /// Idempotency keys of the owned accounts, from the records' headers.
  idempotency_keys keys;
  /// Publishes waiting to be read back into the index.
  offset_waiters<std::function<void()>> indexed;
  /// Owned partitions read to their end (served from then on).
  std::set<int32_t> restored;
  bool ready = false;
  /// Why Kafka cannot be read, if it cannot: /ready stays 503.
  std::string feed_error;

  /// Live streams by account, and their readers (monitored: a reader that
  /// vanishes without leaving, say with its node, is dropped all the same).
  std::map<int64_t, account_stream_actor> streams;
  std::map<int64_t, std::set<caf::actor_addr>> readers;
  std::map<caf::actor_addr, std::pair<int64_t, stream_reader_actor>> reading;

  /// Indexes a poll's records, feeds streams, answers publishes.
  void on_records(const record_batch& batch);

  /// Forgets what the account table says is gone.
  void on_accounts(const std::vector<int64_t>& gone);

  /// Drops events past the retention horizon.
  /// Events that happened before this are past retention.
  int64_t horizon_ns() const;

  void expire();

  /// Opens a stream for a reader: replay now, live events after.
  void join(const event_query& q, const stream_reader_actor& reader);

  void leave(int64_t account_id, const stream_reader_actor& reader);

  /// A reader went away without leaving.
  void reader_down(const caf::actor_addr& addr);

  /// The `events` partitions this node owns and indexes, once the group
  /// has said which (until then /ready waits).
  std::set<int32_t> owned;
  bool owning_known = false;

  int32_t total_partitions() const {
    return static_cast<int32_t>(owned.size());
  }

  int32_t partition_of(int64_t account_id) const;

  /// Why an account's events cannot be served here now, if they cannot:
  /// its partition is restoring, or another node owns it.
  std::optional<caf::error> refusal(int64_t account_id) const;

  /// Takes and releases partitions as the group decides.
  void own(const std::vector<int32_t>& taken,
           const std::vector<int32_t>& released);

  /// Partitions of other nodes indexed here too (a warm copy), and those
  /// taken over from that copy: served once read to the end the broker
  /// reported when they were taken (-1 until it answers).
  std::set<int32_t> standby;
  std::map<int32_t, int64_t> promoting;

  /// Follows and stops following partitions of others.
  void stand_by(const std::vector<int32_t>& taken,
                const std::vector<int32_t>& released);

  /// A partition taken over from the warm copy: asks for its end.
  void promote(int32_t partition);

  /// Serves a promoted partition once it is read to that end.
  void check_promoted(int32_t partition);

  /// Stops reading partitions and forgets what they held.
  void drop(const std::vector<int32_t>& partitions);
};

using event_log_self = event_log_actor::stateful_pointer<event_log_state>;

/// Publishes events of one account (event_publish.cpp); answers them once
/// durable and indexed. With an idempotency key (else ""): a retry answers
/// what the first attempt answered and writes only the parts missing.
void publish_events(event_log_self self,
                    caf::typed_response_promise<std::vector<event>> rp,
                    std::vector<event> events, std::string key,
                    uint64_t body_hash, int64_t events_since);

event_log_actor::behavior_type
event_log(event_log_actor::stateful_pointer<event_log_state> self, config cfg,
          topic_layout layout, kafka_bridge_actor bridge);

} // namespace logbase
