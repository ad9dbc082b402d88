#include "kafka/kafka_feed.hpp"

#include <caf/all.hpp>
#include <librdkafka/rdkafka.h>

#include "src/feed_start.hpp"
#include "src/follow_schedule.hpp"
#include "kafka/kafka_common.hpp"
#include "src/log.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// At most this many records per message to the sink: a restore moves in
/// large steps, yet one message never holds a sink for long.
constexpr int max_records_per_batch = 5000;

/// The consumer wakes this often when idle, only to see whether it should
/// stop (shutdown also interrupts it).
constexpr int idle_wait_ms = 1000;

/// How long a followed partition rests after a fetch brought it something
/// (see follow_schedule): others' writes reach this node within about this.
constexpr int64_t follow_interval_ns = 100'000'000;

/// At most this many records in partitions a feed starts reading are
/// caught up by a short-poll consumer when the feed reads nothing yet.
constexpr int64_t small_catch_up_records = 100'000;

/// Records between the first and end offsets, summed (unknown ones: none).
int64_t records_between(const std::vector<int64_t>& first,
                        const std::vector<int64_t>& end) {
  int64_t n = 0;
  for (size_t i = 0; i < first.size() && i < end.size(); ++i)
    if (first[i] >= 0 && end[i] > first[i])
      n += end[i] - first[i];
  return n;
}

/// librdkafka stops fetching while its queue holds queued.min.messages
/// (100,000) and looks again only about once a second: a restore whose feed
/// fell that far behind then sat idle once the queue was drained (51 times
/// in one restore of 3.9M events, more than half of its time). Past this
/// length the feed checks every few milliseconds, once the queue is empty,
/// and sets the fetcher going again.
constexpr size_t stall_queue_length = 50'000;
constexpr int stall_check_ms = 5;

/// The name of the actor a feed reads for ("event_log", "stats", …).
std::string actor_name(const record_sink_actor& sink) {
  auto* a = dynamic_cast<caf::local_actor*>(
    caf::actor_cast<caf::abstract_actor*>(sink));
  return a != nullptr ? a->name() : "other";
}

} // namespace

std::unique_ptr<kafka_feed>
kafka_feed::make(const config& cfg, std::map<std::string, uint8_t> topic_ids,
                 record_sink_actor sink, std::shared_ptr<restore_watch> watch,
                 std::string& err) {
  auto consumer = make_consumer(cfg, follow_wait_ms, err);
  if (!consumer)
    return nullptr;
  std::unique_ptr<kafka_feed> feed{new kafka_feed(
    std::move(consumer), std::move(topic_ids), std::move(sink),
    std::move(watch))};
  feed->cfg_ = cfg;
  feed->thread_ = std::thread{[f = feed.get()] { f->run(); }};
  return feed;
}

kafka_feed::kafka_feed(std::unique_ptr<RdKafka::KafkaConsumer> consumer,
                       std::map<std::string, uint8_t> topic_ids,
                       record_sink_actor sink,
                       std::shared_ptr<restore_watch> watch)
  : store_(actor_name(sink)),
    watch_(std::move(watch)),
    consumer_(std::move(consumer)),
    topic_ids_(std::move(topic_ids)),
    sink_(std::move(sink)),
    follow_(follow_interval_ns) {
  // nop
}

kafka_feed::~kafka_feed() {
  stop();
  if (thread_.joinable())
    thread_.join();
  for (auto& [k, g] : lag_)
    global_metrics().forget_lag(*g);
  auto t0 = now_ns();
  consumer_->close();
  log(log_level::debug, "kafka_bridge", "closed a consumer in ",
      (now_ns() - t0) / 1000, " us");
}

void kafka_feed::stop() {
  stop_ = true;
  wake();
}

void kafka_feed::assign(const std::vector<assignment>& parts,
                        const std::vector<std::string>& topic_names) {
  // Before the thread may start them: the restore is not over meanwhile.
  std::vector<std::pair<uint8_t, int32_t>> expected;
  for (auto& a : parts)
    expected.emplace_back(a.topic_id, a.partition);
  watch_->expect(store_, expected);
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& a : parts) {
      pending_.push_back(a);
      topic_names_[a.topic_id] = topic_names[a.topic_id];
    }
  }
  wake();
}

void kafka_feed::release(const std::vector<assignment>& parts) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& a : parts) {
      // Not started yet: it need never be.
      std::erase_if(pending_, [&](const assignment& p) {
        return p.topic_id == a.topic_id && p.partition == a.partition;
      });
      releasing_.push_back(a);
      next_.erase({a.topic_id, a.partition});
    }
  }
  for (auto& a : parts)
    watch_->finish(store_, a.topic_id, a.partition);
  wake();
}

void kafka_feed::release_pending(std::vector<assignment> parts) {
  forget_watched(parts);
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& a : parts) {
    std::pair<uint8_t, int32_t> k{a.topic_id, a.partition};
    ends_.erase(k);
    follow_.forget(k);
    std::erase_if(later_, [&](const assignment& l) {
      return l.topic_id == a.topic_id && l.partition == a.partition;
    });
    if (started_.erase(k) > 0)
      tps.push_back(
        RdKafka::TopicPartition::create(names_[a.topic_id], a.partition));
  }
  {
    // Again, now that this thread forwards nothing more of them.
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& a : parts)
      next_.erase({a.topic_id, a.partition});
  }
  if (tps.empty())
    return;
  // librdkafka keeps an application's pause across unassign and assign: a
  // partition let go while resting (follow_schedule) would stay silent
  // when taken again. Resumed here, while still assigned, so that the
  // resume is served before the stop.
  auto resumed = consumer_->resume(tps);
  if (resumed != RdKafka::ERR_NO_ERROR)
    log(log_level::warn, "kafka_bridge", "resuming partitions to release: ",
        RdKafka::err2str(resumed));
  std::unique_ptr<RdKafka::Error> e{consumer_->incremental_unassign(tps)};
  RdKafka::TopicPartition::destroy(tps);
  if (e)
    log(log_level::warn, "kafka_bridge", "cannot stop reading partitions: ",
        e->str());
}

void kafka_feed::wake() {
  auto* q = rd_kafka_queue_get_consumer(consumer_->c_ptr());
  if (q != nullptr) {
    rd_kafka_queue_yield(q);
    rd_kafka_queue_destroy(q);
  }
}

void kafka_feed::start_pending() {
  std::vector<assignment> parts;
  std::vector<assignment> dropped;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (pending_.empty() && releasing_.empty())
      return; // the common case: every turn of the loop comes here
    parts.swap(pending_);
    dropped.swap(releasing_);
    names_ = topic_names_;
  }
  // Releases first: a partition released and taken again starts afresh.
  release_pending(std::move(dropped));
  auto was_reading = !started_.empty();
  // A partition read already is not started again (librdkafka would refuse
  // the whole assignment).
  std::erase_if(parts, [&](const assignment& a) {
    if (started_.insert({a.topic_id, a.partition}).second)
      return false;
    if (restoring_.count({a.topic_id, a.partition}) == 0)
      watch_->finish(store_, a.topic_id, a.partition); // not expected after all
    return true;
  });
  if (parts.empty())
    return;
  // Taken while running (a failover, a rebalance): the broker may hold
  // this consumer's fetch for follow_wait_ms, and it answers a
  // connection's requests in order, so a consumer of their own asks for
  // the offsets and reads up to the ends (catch_up) without that wait.
  std::unique_ptr<RdKafka::KafkaConsumer> own;
  auto make_own = [&] {
    std::string err;
    own = make_consumer(cfg_, catch_up_wait_ms, err);
    if (!own)
      log(log_level::warn, "kafka_bridge",
          "taken partitions are read by the feed's consumer: ", err);
  };
  if (was_reading)
    make_own();
  auto& asker = own ? *own : *consumer_;
  auto asked_ns = now_ns();
  auto first = offsets_at(asker, parts, RdKafka::Topic::OFFSET_BEGINNING);
  auto end = offsets_at(asker, parts, RdKafka::Topic::OFFSET_END);
  if (min_log_level() == log_level::debug)
    log(log_level::debug, "kafka_bridge", "offsets of ", parts.size(),
        " partitions in ", (now_ns() - asked_ns) / 1'000'000, " ms",
        own ? " (catch-up consumer)" : "");
  auto plan = plan_feed_start(parts, first, end);
  // Small partitions are caught up by such a consumer too: this one sees
  // the end of a transactional partition (past a commit marker it never
  // gets) only one long-polled fetch later, and a node that joined restored
  // its statistics 1 s late. A large restore stays here: the catch-up
  // consumer read 2.25M events about 3x slower.
  if (!own && !plan.read_now.empty()
      && records_between(first, end) <= small_catch_up_records)
    make_own();
  begin_restores(plan);
  for (auto& e : plan.ends)
    ends_[{e.topic_id, e.partition}] = e.start_offset;
  for (auto& a : plan.at_end)
    follow_.reached_end({a.topic_id, a.partition});
  if (!plan.at_end.empty())
    forward(record_batch{{}, plan.at_end, {}});
  if (own) {
    if (!plan.read_now.empty())
      plan.read_now = catch_up(*own, std::move(plan.read_now));
    auto closing_ns = now_ns();
    own->close();
    if (min_log_level() == log_level::debug)
      log(log_level::debug, "kafka_bridge", "closed a catch-up consumer in ",
          (now_ns() - closing_ns) / 1'000'000, " ms");
  }
  if (plan.read_now.empty())
    read(plan.read_later);
  else {
    read(plan.read_now);
    later_.insert(later_.end(), plan.read_later.begin(),
                  plan.read_later.end());
  }
}

void kafka_feed::read(const std::vector<assignment>& parts) {
  if (parts.empty())
    return;
  std::vector<RdKafka::TopicPartition*> tps;
  for (auto& a : parts)
    tps.push_back(RdKafka::TopicPartition::create(
      names_[a.topic_id], a.partition,
      a.start_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING : a.start_offset));
  std::unique_ptr<RdKafka::Error> e{consumer_->incremental_assign(tps)};
  RdKafka::TopicPartition::destroy(tps);
  if (!e)
    return;
  auto why = "cannot read partitions: " + e->str();
  log(log_level::error, "kafka_bridge", why);
  caf::anon_send(sink_, error_atom::value, std::move(why));
}

int64_t kafka_feed::cached_end(const std::string& topic, int32_t partition) {
  int64_t low = 0;
  int64_t high = -1;
  if (consumer_->get_watermark_offsets(topic, partition, &low, &high)
      != RdKafka::ERR_NO_ERROR)
    return -1;
  return high;
}

void kafka_feed::run() {
  // The C API: a whole fetched run in one call, with no allocation per
  // message for wrappers or topic names (a restore reads millions).
  auto* queue = rd_kafka_queue_get_consumer(consumer_->c_ptr());
  std::vector<rd_kafka_message_t*> msgs(max_records_per_batch);
  while (!stop_) {
    start_pending();
    // Waits for the first message only (or until a paused partition is
    // due); whatever else is already fetched goes along without waiting (a
    // batch call with a timeout would wait until the batch is full).
    auto wait = follow_.wait_ns(now_ns());
    auto wait_ms = wait < 0 ? idle_wait_ms
                            : static_cast<int>(std::min<int64_t>(
                                idle_wait_ms, (wait + 999'999) / 1'000'000));
    if (may_stall_)
      wait_ms = std::min(wait_ms, stall_check_ms);
    msgs[0] = rd_kafka_consumer_poll(consumer_->c_ptr(), wait_ms);
    watch_->tick();
    // The others are under way (or nothing came): join the empty ones.
    read(std::exchange(later_, {}));
    pause_or_resume(follow_.due(now_ns()), false);
    if (msgs[0] == nullptr) {
      if (may_stall_)
        restart_fetching();
      continue;
    }
    auto more = rd_kafka_consume_batch_queue(queue, 0, msgs.data() + 1,
                                             msgs.size() - 1);
    auto n = static_cast<size_t>(1 + std::max<ssize_t>(more, 0));
    if (!stop_) {
      // What the sink had before these: one copy for both uses.
      auto offered = offered_so_far();
      pass_on(msgs.data(), n, offered);
      if (rd_kafka_queue_length(queue) >= stall_queue_length)
        may_stall_ = true;
      // Followed partitions read to their end rest for an interval.
      pause_or_resume(to_rest(msgs.data(), n, offered), true);
    }
    for (size_t i = 0; i < n; ++i)
      rd_kafka_message_destroy(msgs[i]);
  }
  rd_kafka_queue_destroy(queue);
}

uint8_t kafka_feed::topic_id_of(rd_kafka_topic_t* rkt) {
  for (auto& [known, id] : topic_handles_)
    if (known == rkt)
      return id;
  auto t = topic_ids_.find(rd_kafka_topic_name(rkt));
  auto id = t == topic_ids_.end() ? unknown_topic : t->second;
  topic_handles_.emplace_back(rkt, id);
  return id;
}

} // namespace logbase
