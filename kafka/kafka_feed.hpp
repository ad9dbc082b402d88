#pragma once

/// One consumer and the thread of its own that blocks on it: what it reads
/// goes to one sink as record batches, so that no actor ever waits on
/// librdkafka and an idle server sleeps.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "src/config.hpp"
#include "src/feed_start.hpp"
#include "src/follow_schedule.hpp"
#include "messages/interfaces.hpp"
#include "src/metrics.hpp"
#include "kafka/restore_watch.hpp"

namespace logbase {

class kafka_feed {
public:
  /// Creates the consumer and starts its thread; nullptr and `err` when
  /// librdkafka refuses the settings. Its restores are shown by `watch`.
  static std::unique_ptr<kafka_feed>
  make(const config& cfg, std::map<std::string, uint8_t> topic_ids,
       record_sink_actor sink, std::shared_ptr<restore_watch> watch,
       std::string& err);

  /// Stops the thread and closes the consumer.
  ~kafka_feed();

  /// Asks the thread to stop, without waiting for it.
  void stop();

  kafka_feed(const kafka_feed&) = delete;
  kafka_feed& operator=(const kafka_feed&) = delete;

  /// Adds partitions to read. The feed's thread starts them (a refusal goes
  /// to the sink as an error).
  void assign(const std::vector<assignment>& parts,
              const std::vector<std::string>& topic_names);

  /// Stops reading partitions (the feed's thread unassigns them; nothing
  /// of theirs goes to the sink after that, and a later `assign` reads
  /// them afresh).
  void release(const std::vector<assignment>& parts);

  /// The end offset of a partition as the last fetch reported, -1 if
  /// unknown. Never blocks.
  int64_t cached_end(const std::string& topic, int32_t partition);

  const record_sink_actor& sink() const {
    return sink_;
  }

  /// Records this process wrote, in offset order per partition, as their
  /// delivery reports tell: those that continue exactly where this feed
  /// stands go to the sink now, and the consumer's copies are dropped when
  /// they come. A write is then read back without waiting for a fetch, and
  /// the sink still sees every offset once, in order. `own` holds
  /// (records_atom, record_batch) messages (share_by_topic): one this feed
  /// takes whole goes to the sink as it is, shared with other feeds.
  void offer(const std::vector<caf::message>& own);

  /// How long a feed's consumer lets the broker hold an empty fetch.
  static constexpr int follow_wait_ms = 1000;

  /// The same for a catch-up consumer (see catch_up): it lives only while
  /// it reads up to known ends.
  static constexpr int catch_up_wait_ms = 10;

private:
  /// A consumer with the feeds' settings (nullptr and `err` when
  /// librdkafka refuses them).
  static std::unique_ptr<RdKafka::KafkaConsumer>
  make_consumer(const config& cfg, int fetch_wait_ms, std::string& err);

  kafka_feed(std::unique_ptr<RdKafka::KafkaConsumer> consumer,
             std::map<std::string, uint8_t> topic_ids, record_sink_actor sink,
             std::shared_ptr<restore_watch> watch);

  /// A partition of a topic, by topic id.
  using partition_key = std::pair<uint8_t, int32_t>;

  /// The next offset to hand to the sink, per (topic id, partition).
  using positions = std::map<partition_key, int64_t>;

  // -- progress and lag (kafka_feed_watch.cpp) --------------------------------

  /// Partitions the plan reads up to a known end are restores.
  void begin_restores(const feed_start& plan);

  /// Counts what a poll brought to the restores, ends those `reached`,
  /// and sets the lag of every partition the poll was about.
  void watch_poll(rd_kafka_message_t* const* msgs, size_t n,
                  const std::vector<assignment>& reached);

  /// Lag gauges and restores of partitions let go.
  void forget_watched(const std::vector<assignment>& parts);

  /// Sets the lag gauges of `parts`: their end as last fetched less where
  /// this feed stands.
  void update_lag(std::vector<partition_key> parts);

  /// The store this feed reads for (its sink's actor name), for labels.
  std::string store_;
  std::shared_ptr<restore_watch> watch_;
  /// Partitions restoring, and the lag gauges (the feed thread's only).
  std::set<partition_key> restoring_;
  std::map<partition_key, prometheus::Gauge*> lag_;

  /// The thread: blocks in consume() and forwards what comes.
  void run();

  /// Interrupts the thread's wait for messages.
  void wake();

  /// Unassigns what `release` dropped (on the thread).
  void release_pending(std::vector<assignment> parts);

  /// Starts what `assign` added (on the thread: this asks the broker for
  /// the partitions' offsets and may block on it).
  void start_pending();

  /// The offsets of `parts` at `when` (-2 first, -1 end); -1 where unknown.
  std::vector<int64_t> offsets_at(RdKafka::KafkaConsumer& asker,
                                  const std::vector<assignment>& parts,
                                  int64_t when);

  /// Reads `parts` from their start offsets.
  void read(const std::vector<assignment>& parts);

  /// Reads `parts` (taken while this feed reads others) up to their ends
  /// with `own`, a consumer of their own that the broker answers within
  /// catch_up_wait_ms (kafka_feed_catch_up.cpp); returns them with the
  /// offsets where that stopped, for this feed's consumer to go on from.
  /// This consumer's fetch may be held for follow_wait_ms by the broker,
  /// and a partition it is given joins only its next fetch: a takeover
  /// read through it waited out several such polls one after the other.
  std::vector<assignment> catch_up(RdKafka::KafkaConsumer& own,
                                   std::vector<assignment> parts);

  /// Gets a fetcher going that stopped on a full queue (see
  /// stall_queue_length).
  void restart_fetching();

  /// The followed partitions among `msgs` to pause now: those read to
  /// their end (see follow_schedule).
  std::vector<follow_schedule::key> to_rest(rd_kafka_message_t* const* msgs,
                                            size_t n, const positions& offered);

  /// Whether record `m` of partition `k` was among what `offered` (taken
  /// before its poll was passed on) says the sink had.
  static bool offered_before(const rd_kafka_message_t& m,
                             follow_schedule::key k, const positions& offered);

  /// Whether `m`, the last message of its partition in a poll, reaches the
  /// end of that partition as the last fetch saw it.
  bool read_to_end(const rd_kafka_message_t& m);

  /// Moves the consumer of each resumed partition to where `offer` got
  /// meanwhile: past this node's own writes, which the sink has and a
  /// fetch would only bring back for `take` to drop (all of them, a rest's
  /// worth at a time: under batch ingest the whole write volume again).
  void skip_offered(std::vector<RdKafka::TopicPartition*>& tps);

  /// Pauses (or resumes) fetching `parts`.
  void pause_or_resume(const std::vector<follow_schedule::key>& parts,
                       bool pause);

  /// Hands `n` consumed messages (of either consumer) to the sink, less
  /// what `offered` (offered_so_far) says was sent before; the partitions
  /// whose end they reached.
  std::vector<assignment> pass_on(rd_kafka_message_t* const* msgs, size_t n,
                                  const positions& offered);

  /// Adds one consumed message (or end of partition) to `batch`, unless
  /// `offer` sent it before (as `offered` says).
  void take(const rd_kafka_message_t& m, const positions& offered,
            record_batch& batch);

  /// Records `take` dropped since the last pass_on (offered before).
  uint64_t fetched_back_ = 0;

  /// What `offer` and `forward` have sent so far (a copy, taken once per
  /// batch rather than a lock per record).
  positions offered_so_far();

  static constexpr uint8_t unknown_topic = 255;

  /// The topic id of a consumed message's topic handle.
  uint8_t topic_id_of(rd_kafka_topic_t* rkt);

  /// Sends what the consumer read, less what `offer` sent before.
  void forward(record_batch batch);

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  /// The settings, for catch-up consumers.
  config cfg_;
  std::map<std::string, uint8_t> topic_ids_;
  record_sink_actor sink_;
  std::atomic<bool> stop_{false};
  /// Guards next_ and orders what goes to the sink.
  std::mutex mutex_;
  /// Once known (after a record or the end of the partition).
  positions next_;
  /// Partitions `assign` added, not yet started, and those `release`
  /// dropped, not yet unassigned (guarded by mutex_).
  std::vector<assignment> pending_;
  std::vector<assignment> releasing_;
  /// Partitions started (the feed thread's only).
  std::set<std::pair<uint8_t, int32_t>> started_;
  /// Topic names by id (guarded by mutex_ while `assign` adds to it), and
  /// the thread's copy.
  std::map<uint8_t, std::string> topic_names_;
  std::map<uint8_t, std::string> names_;
  /// Partitions at their end, read once the others are fetched.
  std::vector<assignment> later_;
  /// Ends of partitions being read from their start, as asked for then;
  /// dropped once reached (the feed thread's only).
  positions ends_;
  /// The queue grew long enough for librdkafka to stop fetching.
  bool may_stall_ = false;
  /// Which partitions rest between fetches (the feed thread's only).
  follow_schedule follow_;
  /// Topic handles seen, with their ids (the feed thread's only).
  std::vector<std::pair<rd_kafka_topic_t*, uint8_t>> topic_handles_;
  std::thread thread_;
};

} // namespace logbase
