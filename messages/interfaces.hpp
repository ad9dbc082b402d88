#pragma once

/// Every typed actor interface of logbase, one line each.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "src/model.hpp"
#include "src/one_shot.hpp"
#include "src/records.hpp"
#include "src/response.hpp"

namespace logbase {

/// Whatever the Kafka bridge hands consumed records to.
using record_sink_actor = caf::typed_actor<
  // A poll's records and reached ends for the partitions it subscribed.
  caf::reacts_to<records_atom, record_batch>,
  // Reading them failed for good (bad consumer settings, refused
  // assignment): the sink reports it and stays unready.
  caf::reacts_to<error_atom, std::string>>;

/// Whatever wants to know of account changes (event log, statistics).
using account_listener_actor = caf::typed_actor<
  // Accounts now live, ids now gone; `true` once: the snapshot after restore.
  caf::reacts_to<account_atom, std::vector<account>, std::vector<int64_t>,
                 bool>>;

/// Whatever hears of this node's share of the consumer group (the node).
using membership_sink_actor = caf::typed_actor<
  // The group gave this node these `events` partitions.
  caf::reacts_to<assign_atom, std::vector<int32_t>>,
  // This node must give these up; answered once it no longer serves them.
  caf::replies_to<revoke_atom, std::vector<int32_t>>::with<ok_atom>>;

/// Whatever owns state of `events` partitions and must be told which ones
/// (account table, event log, statistics).
using partition_owner_actor = caf::typed_actor<
  // Partitions taken, partitions released; answered once the released
  // ones are no longer served (and their counts committed).
  caf::replies_to<own_atom, std::vector<int32_t>, std::vector<int32_t>>::with<
    ok_atom>>;

/// What keeps a warm copy of partitions other nodes own (event log,
/// statistics; see config::standby_replicas).
using standby_holder_actor = caf::typed_actor<
  // Partitions to follow from now on, partitions to stop following.
  caf::reacts_to<standby_atom, std::vector<int32_t>, std::vector<int32_t>>>;

/// The only owner of librdkafka handles: produces, consumes, transacts.
using kafka_bridge_actor = caf::typed_actor<
  // Produces records (idempotent, acks=all); answers once all are durable.
  caf::replies_to<produce_atom, std::vector<out_record>>::with<
    std::vector<delivery>>,
  // Produces records in one Kafka transaction; answers once committed.
  caf::replies_to<commit_atom, std::vector<out_record>>::with<ok_atom>,
  // Starts reading partitions and hands their records to the sink.
  caf::reacts_to<subscribe_atom, std::vector<assignment>, record_sink_actor>,
  // Stops reading partitions for the sink.
  caf::reacts_to<release_atom, std::vector<assignment>, record_sink_actor>,
  // Joins the app id's consumer group; the sink hears of assignments.
  caf::reacts_to<join_atom, membership_sink_actor>,
  // The high watermark (end offset) of a partition.
  caf::replies_to<watermark_atom, uint8_t, int32_t>::with<int64_t>,
  // The end offsets of every partition of a topic, asked of the broker.
  caf::replies_to<ends_atom, uint8_t>::with<std::vector<int64_t>>,
  // From the bridge's delivery thread: librdkafka's delivery reports.
  caf::reacts_to<delivered_atom, std::vector<delivery_report>>>;

/// A reader of a live event stream (an SSE connection).
using stream_reader_actor = caf::typed_actor<
  // Events for the reader, in order; the reader acks them.
  caf::reacts_to<stream_atom, std::vector<event>>,
  // The stream ended (account deleted, reader too slow, shutdown).
  caf::reacts_to<end_atom, std::string>>;

/// One account's live stream, shared by all of its readers.
using account_stream_actor = caf::typed_actor<
  // A new reader with its replayed past.
  caf::reacts_to<join_atom, stream_reader_actor, std::vector<event>>,
  // A reader left.
  caf::reacts_to<leave_atom, stream_reader_actor>,
  // Newly indexed events of the account.
  caf::reacts_to<stream_atom, std::vector<event>>,
  // A reader has written this many events.
  caf::reacts_to<ack_atom, stream_reader_actor, int64_t>,
  // The account is gone: end every stream.
  caf::reacts_to<end_atom, std::string>>;

/// Owns the account table (the compacted `accounts` topic).
using account_table_actor = caf::typed_actor<
  // One account, or account_not_found.
  caf::replies_to<get_atom, int64_t>::with<account>,
  // Accounts with id > after, ordered by id, at most limit.
  caf::replies_to<list_atom, int64_t, int64_t>::with<std::vector<account>>,
  // A fresh server-assigned id (POST creates it with a create-only PUT).
  caf::replies_to<reserve_atom>::with<int64_t>,
  // PUT: create or replace (version 0: any, create_only: must not exist);
  // true when created.
  caf::replies_to<put_atom, int64_t, std::string, int64_t>::with<account, bool>,
  // PATCH: rename, if the version matches (0: any version).
  caf::replies_to<patch_atom, int64_t, std::string, int64_t>::with<account>,
  // DELETE, if the version matches (0: any version).
  caf::replies_to<delete_atom, int64_t, int64_t>::with<ok_atom>,
  // Publishes events of an existing account, never beside a write to it;
  // answers them once durable, indexed and counted. With an idempotency
  // key ("": none) and the body's hash: a retry answers the first attempt.
  caf::replies_to<publish_atom, int64_t, std::vector<event>, std::string,
                  uint64_t>::with<std::vector<event>>,
  // An existing account's events as GET events' JSON body (its event log
  // answers).
  caf::replies_to<query_atom, event_query>::with<std::string>,
  // An existing account's daily counts (its statistics answer).
  caf::replies_to<query_atom, stats_query>::with<std::vector<daily_count>>,
  // Restore progress: partitions restored, partitions in all, and the
  // `events` partitions still being restored.
  caf::replies_to<ready_atom>::with<int32_t, int32_t, std::vector<int32_t>>,
  // Self-sent while publishes are in flight: answer those past their
  // deadline.
  caf::reacts_to<tick_atom>,
  // Self-sent: ask again where `accounts` ends for the takeover of this
  // ticket (the broker could not say).
  caf::reacts_to<own_atom, uint64_t>>
  ::extend_with<record_sink_actor>
  // Taken partitions are answered once the table holds their accounts.
  ::extend_with<partition_owner_actor>;

/// Owns the per-account index of the `events` topic and its streams.
using event_log_actor = caf::typed_actor<
  // Publishes events of an account; answers them once durable and indexed.
  // With an idempotency key ("": none), the body's hash and the account's
  // events_since: a retry answers what the first attempt answered.
  caf::replies_to<publish_atom, std::vector<event>, std::string, uint64_t,
                  int64_t>::with<std::vector<event>>,
  // Lists events as GET events' JSON body, written from the index.
  caf::replies_to<query_atom, event_query>::with<std::string>,
  // Opens a live stream: replay of the query, then new events.
  caf::reacts_to<join_atom, event_query, stream_reader_actor>,
  // A reader of an account's stream left.
  caf::reacts_to<leave_atom, int64_t, stream_reader_actor>,
  // Restore progress (as the account table's).
  caf::replies_to<ready_atom>::with<int32_t, int32_t, std::vector<int32_t>>,
  // Self-sent: forget events past the retention.
  caf::reacts_to<tick_atom>>
  ::extend_with<record_sink_actor>
  ::extend_with<account_listener_actor>
  ::extend_with<partition_owner_actor>
  ::extend_with<standby_holder_actor>;

/// The windowed statistics aggregator and its changelog.
using stats_actor = caf::typed_actor<
  // Daily counts of an account.
  caf::replies_to<query_atom, stats_query>::with<std::vector<daily_count>>,
  // Answers once the event at (partition, offset) is counted.
  caf::replies_to<await_atom, int32_t, int64_t>::with<ok_atom>,
  // Restore progress (as the account table's).
  caf::replies_to<ready_atom>::with<int32_t, int32_t, std::vector<int32_t>>,
  // Self-sent: commit the changelog transaction.
  caf::reacts_to<tick_atom>>
  ::extend_with<record_sink_actor>
  ::extend_with<account_listener_actor>
  ::extend_with<partition_owner_actor>
  ::extend_with<standby_holder_actor>;

/// This node's face to its peers (a CAF remote actor), and the router that
/// finds the node owning an account.
using node_actor = caf::typed_actor<
  // A peer asks for this node's store actors.
  caf::replies_to<get_atom>::with<account_table_actor, event_log_actor,
                                  stats_actor>,
  // The peer of that name, which dialled this node, introduces itself (it
  // is the sender) and gets this node's store actors.
  caf::replies_to<hello_atom, std::string>::with<account_table_actor,
                                                 event_log_actor, stats_actor>,
  // The store actors of the node that owns an account.
  caf::replies_to<route_atom, int64_t>::with<account_table_actor,
                                             event_log_actor, stats_actor>,
  // Self-sent: connect to the peers not connected.
  caf::reacts_to<peer_atom>>
  ::extend_with<membership_sink_actor>
  // The members topic.
  ::extend_with<record_sink_actor>;

/// The store actors of one node.
struct store_actors {
  account_table_actor accounts;
  event_log_actor events;
  stats_actor stats;
};

/// Where an HTTP worker joins an account's live stream.
struct stream_grant {
  event_log_actor log;
  event_query query;
};

/// The front actor's answer to an HTTP worker: a response, or for a stream
/// request that may start, where to join.
struct front_reply {
  response reply;
  std::optional<stream_grant> stream;
};

/// The box an HTTP worker waits on for its one answer (never leaves the
/// process).
using reply_slot = std::shared_ptr<one_shot<front_reply>>;

} // namespace logbase

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(logbase::reply_slot)

namespace logbase {

/// The HTTP front: each request of an HTTP worker arrives as one message;
/// the front runs the protocol with the owning node's stores and answers
/// the request's slot with status and body.
using http_front_actor = caf::typed_actor<
  // GET /ready: restore progress of this node's stores.
  caf::reacts_to<ready_atom, reply_slot>,
  // GET /accounts?after&limit.
  caf::reacts_to<list_atom, int64_t, int64_t, reply_slot>,
  // POST /accounts with a validated name.
  caf::reacts_to<create_atom, std::string, reply_slot>,
  // GET /accounts/{id}.
  caf::reacts_to<get_atom, int64_t, reply_slot>,
  // PUT /accounts/{id}: name, If-Match version (0: none).
  caf::reacts_to<put_atom, int64_t, std::string, int64_t, reply_slot>,
  // PATCH /accounts/{id}: name, If-Match version (0: none).
  caf::reacts_to<patch_atom, int64_t, std::string, int64_t, reply_slot>,
  // DELETE /accounts/{id}: If-Match version (0: none).
  caf::reacts_to<delete_atom, int64_t, int64_t, reply_slot>,
  // POST /accounts/{id}/events; `true`: the body was an array; the
  // Idempotency-Key ("": none) and the body's hash.
  caf::reacts_to<publish_atom, int64_t, std::vector<event>, bool, std::string,
                 uint64_t, reply_slot>,
  // GET /accounts/{id}/events.
  caf::reacts_to<query_atom, event_query, reply_slot>,
  // GET /accounts/{id}/statistics.
  caf::reacts_to<query_atom, stats_query, reply_slot>,
  // GET /accounts/{id}/events/stream: may it start, and where.
  caf::reacts_to<join_atom, event_query, reply_slot>,
  // Self-sent while requests are in flight: answer those past deadline.
  caf::reacts_to<tick_atom>>;

/// Announces every message type, on every node alike.
inline void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<account>("logbase::account");
  cfg.add_message_type<std::vector<account>>("std::vector<logbase::account>");
  cfg.add_message_type<event>("logbase::event");
  cfg.add_message_type<std::vector<event>>("std::vector<logbase::event>");
  cfg.add_message_type<daily_count>("logbase::daily_count");
  cfg.add_message_type<std::vector<daily_count>>(
    "std::vector<logbase::daily_count>");
  cfg.add_message_type<event_query>("logbase::event_query");
  cfg.add_message_type<stats_query>("logbase::stats_query");
  cfg.add_message_type<out_record>("logbase::out_record");
  cfg.add_message_type<std::vector<out_record>>(
    "std::vector<logbase::out_record>");
  cfg.add_message_type<delivery>("logbase::delivery");
  cfg.add_message_type<std::vector<delivery>>("std::vector<logbase::delivery>");
  cfg.add_message_type<delivery_report>("logbase::delivery_report");
  cfg.add_message_type<std::vector<delivery_report>>(
    "std::vector<logbase::delivery_report>");
  cfg.add_message_type<assignment>("logbase::assignment");
  cfg.add_message_type<std::vector<assignment>>(
    "std::vector<logbase::assignment>");
  cfg.add_message_type<record_batch>("logbase::record_batch");
  cfg.add_message_type<std::vector<int64_t>>("std::vector<int64_t>");
  cfg.add_message_type<account_table_actor>("logbase::account_table_actor");
  cfg.add_message_type<event_log_actor>("logbase::event_log_actor");
  cfg.add_message_type<stats_actor>("logbase::stats_actor");
  cfg.add_message_type<stream_reader_actor>("logbase::stream_reader_actor");
  cfg.add_message_type<account_stream_actor>("logbase::account_stream_actor");
  cfg.add_message_type<node_actor>("logbase::node_actor");
  cfg.add_message_type<std::vector<int32_t>>("std::vector<int32_t>");
  cfg.add_message_type<membership_sink_actor>(
    "logbase::membership_sink_actor");
}

} // namespace logbase
