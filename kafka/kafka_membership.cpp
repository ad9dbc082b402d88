#include "kafka/kafka_membership.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <caf/all.hpp>
#include <librdkafka/rdkafka.h>

#include "kafka/kafka_common.hpp"
#include "src/log.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// How long the thread waits in one poll: it also notices a stop this
/// often (shutdown interrupts it too).
constexpr int poll_wait_ms = 500;

std::vector<int32_t>
numbers_of(const std::vector<RdKafka::TopicPartition*>& parts) {
  std::vector<int32_t> out;
  for (auto* p : parts)
    out.push_back(p->partition());
  return out;
}

} // namespace

class kafka_membership::rebalancer : public RdKafka::RebalanceCb {
public:
  rebalancer(membership_sink_actor sink, std::chrono::milliseconds patience,
             std::shared_ptr<restore_watch> watch)
    : sink_(std::move(sink)), patience_(patience), watch_(std::move(watch)) {
    // nop
  }

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    auto cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    auto numbers = numbers_of(parts);
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      std::unique_ptr<RdKafka::Error> e;
      if (cooperative)
        e.reset(consumer->incremental_assign(parts));
      else
        consumer->assign(parts);
      if (e)
        log(log_level::error, "membership", "cannot take partitions ",
            listed(numbers), ": ", e->str());
      // Owned, never fetched: the feeds read them.
      consumer->pause(parts);
      log(log_level::info, "membership", "the group gave this node "
          "partitions ", listed(numbers));
      caf::anon_send(sink_, assign_atom::value, numbers);
      // The node subscribes its share now: the restore goes on with it.
      watch_->hold(false);
      return;
    }
    if (closing) { // the node is stopping: nobody to ask
      if (cooperative)
        std::unique_ptr<RdKafka::Error>{consumer->incremental_unassign(parts)};
      else
        consumer->unassign();
      return;
    }
    auto lost = consumer->assignment_lost();
    log(log_level::info, "membership",
        lost ? "lost partitions " : "giving up partitions ", listed(numbers));
    // The node stops serving them and commits their counts first.
    if (!numbers.empty()) {
      auto* actor = caf::actor_cast<caf::abstract_actor*>(sink_);
      caf::scoped_actor self{actor->home_system()};
      self->request(sink_, patience_, revoke_atom::value, numbers)
        .receive([](ok_atom) {},
                 [&](const caf::error& e) {
                   log(log_level::warn, "membership", "giving up partitions ",
                       listed(numbers), " did not finish: ",
                       actor->home_system().render(e));
                 });
    }
    if (cooperative) {
      std::unique_ptr<RdKafka::Error> e{consumer->incremental_unassign(parts)};
      if (e)
        log(log_level::warn, "membership", "cannot give up partitions: ",
            e->str());
    } else {
      consumer->unassign();
    }
  }

  /// Set before the consumer closes: its last revoke asks no actor (they
  /// are stopping, maybe on the thread that closes it).
  std::atomic<bool> closing{false};

private:
  membership_sink_actor sink_;
  std::chrono::milliseconds patience_;
  std::shared_ptr<restore_watch> watch_;
};

std::unique_ptr<kafka_membership>
kafka_membership::make(const config& cfg, membership_sink_actor sink,
                       std::shared_ptr<restore_watch> watch,
                       std::string& err) {
  std::unique_ptr<kafka_membership> m{new kafka_membership};
  // A revoke waits for the last commit of the partitions' counts.
  m->rebalancer_ = std::make_unique<rebalancer>(
    sink, std::chrono::milliseconds{cfg.write_timeout_ms + 5000},
    std::move(watch));
  m->cfg_ = cfg;
  m->consumer_ = m->join_group(err);
  if (!m->consumer_)
    return nullptr;
  m->sink_ = sink;
  m->probes_.contact(now_ns());
  m->thread_ = std::thread{[p = m.get()] { p->run(); }};
  for (size_t i = 0; i < probes_in_flight; ++i)
    m->probe_threads_.emplace_back([p = m.get()] { p->probe(); });
  return m;
}

std::shared_ptr<RdKafka::KafkaConsumer>
kafka_membership::join_group(std::string& err) {
  const auto& cfg = cfg_;
  // Survivors hear of a rebalance at their next heartbeat: often, so that
  // a dead node's partitions move soon after its session ends (a takeover
  // waits for every survivor's next heartbeat; at a sixth of the session,
  // 1 s by default, standby takeovers took 5.5-7.5 s after a kill).
  auto heartbeat = std::clamp<int64_t>(cfg.session_timeout_ms / 12, 250, 3000);
  auto conf = make_conf(
    cfg,
    {{"group.id", cfg.app_id},
     {"group.instance.id", cfg.name_of_node()},
     {"partition.assignment.strategy", "cooperative-sticky"},
     {"session.timeout.ms", std::to_string(cfg.session_timeout_ms)},
     {"heartbeat.interval.ms", std::to_string(heartbeat)},
     {"enable.auto.commit", "false"},
     {"enable.auto.offset.store", "false"},
     {"auto.offset.reset", "latest"},
     // It fetches no records (its partitions stay paused), so this only
     // makes OffsetFetch (the contact probe, and librdkafka's own at each
     // assignment) answer at once: read_committed asks for stable offsets,
     // and the broker refuses those while a transaction holds offsets of
     // the partition (a killed owner's, until it times out), so survivors
     // took the silence for a lost coordinator and stopped serving.
     {"isolation.level", "read_uncommitted"}},
    err);
  if (!conf)
    return nullptr;
  if (conf->set("rebalance_cb", rebalancer_.get(), err)
      != RdKafka::Conf::CONF_OK)
    return nullptr;
  coarse_timer_slack slack;
  std::shared_ptr<RdKafka::KafkaConsumer> consumer{
    RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!consumer) {
    err = "cannot create the group's consumer: " + err;
    return nullptr;
  }
  auto code = consumer->subscribe({cfg.topic_name(topic::events)});
  if (code != RdKafka::ERR_NO_ERROR) {
    err = "cannot join the group " + cfg.app_id + ": "
          + RdKafka::err2str(code);
    return nullptr;
  }
  return consumer;
}

std::shared_ptr<RdKafka::KafkaConsumer> kafka_membership::consumer() {
  std::lock_guard<std::mutex> guard{consumer_mutex_};
  return consumer_;
}

kafka_membership::~kafka_membership() {
  stop();
  if (thread_.joinable())
    thread_.join();
  for (auto& t : probe_threads_)
    if (t.joinable())
      t.join();
  if (auto c = consumer()) {
    rebalancer_->closing = true;
    c->close();
  }
}

void kafka_membership::stop() {
  {
    std::lock_guard<std::mutex> lock{probe_mutex_};
    stop_ = true;
  }
  probe_wake_.notify_all();
  auto c = consumer();
  if (!c)
    return;
  if (auto* q = rd_kafka_queue_get_consumer(c->c_ptr())) {
    rd_kafka_queue_yield(q);
    rd_kafka_queue_destroy(q);
  }
}

std::unique_ptr<RdKafka::ConsumerGroupMetadata>
kafka_membership::group_metadata() {
  auto c = consumer();
  if (!c)
    return nullptr;
  return std::unique_ptr<RdKafka::ConsumerGroupMetadata>{c->groupMetadata()};
}

void kafka_membership::tell(bool take, const std::vector<int32_t>& parts) {
  if (take) {
    caf::anon_send(sink_, assign_atom::value, parts);
    return;
  }
  auto* actor = caf::actor_cast<caf::abstract_actor*>(sink_);
  caf::scoped_actor self{actor->home_system()};
  self->request(sink_, std::chrono::seconds(30), revoke_atom::value, parts)
    .receive([](ok_atom) {}, [](const caf::error&) {});
}

void kafka_membership::probe() {
  // Each question may take most of the time the group itself allows: one
  // that gives up early stays in flight in librdkafka anyway.
  auto patience = static_cast<int>(cfg_.session_timeout_ms * 3 / 4);
  std::unique_lock<std::mutex> lock{probe_mutex_};
  while (!stop_) {
    auto due = probes_.next_ask_at();
    auto now = now_ns();
    if (now < due) {
      if (due == std::numeric_limits<int64_t>::max())
        probe_wake_.wait(lock);
      else
        probe_wake_.wait_for(lock, std::chrono::nanoseconds{due - now});
      continue;
    }
    auto c = consumer();
    if (!c) {
      probe_wake_.wait_for(lock, std::chrono::milliseconds{probe_interval_ms});
      continue;
    }
    probes_.asked(now);
    lock.unlock();
    std::vector<RdKafka::TopicPartition*> parts;
    c->assignment(parts);
    // OffsetFetch goes to the group coordinator.
    auto heard = parts.empty()
                 || c->committed(parts, patience) == RdKafka::ERR_NO_ERROR;
    RdKafka::TopicPartition::destroy(parts);
    c.reset();
    lock.lock();
    probes_.answered(now, heard);
    // The next question's time moved (and another prober may be free).
    probe_wake_.notify_all();
  }
}

void kafka_membership::check_contact() {
  auto c = consumer();
  if (!c)
    return;
  int64_t last_contact = 0;
  {
    std::lock_guard<std::mutex> lock{probe_mutex_};
    last_contact = probes_.last_contact_ns();
  }
  if (!suspended_.empty()) {
    if (last_contact <= suspended_at_ns_)
      return;
    std::vector<RdKafka::TopicPartition*> parts;
    c->assignment(parts);
    std::vector<int32_t> held = numbers_of(parts);
    RdKafka::TopicPartition::destroy(parts);
    // Those the group still gives this node (a lost assignment was revoked
    // by librdkafka meanwhile).
    std::vector<int32_t> back;
    for (auto p : suspended_)
      if (std::find(held.begin(), held.end(), p) != held.end())
        back.push_back(p);
    suspended_.clear();
    log(log_level::info, "membership", "the group coordinator answers "
        "again; taking back partitions ", listed(back));
    tell(true, back);
    return;
  }
  auto now = now_ns();
  auto silent_ms = (now - last_contact) / 1'000'000;
  // The group can give the partitions away once the coordinator has heard
  // no heartbeat for a session; the last heartbeat it heard may precede the
  // last answer here by a heartbeat interval (a twelfth of the session). So
  // three quarters of the session is still in time, and a broker that is
  // only slow (a collection pause, a starved machine) rarely reaches it:
  // at half the session, reads of a lone node under load got 503s.
  if (silent_ms <= cfg_.session_timeout_ms * 3 / 4)
    return;
  std::vector<RdKafka::TopicPartition*> parts;
  c->assignment(parts);
  std::vector<int32_t> held = numbers_of(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (held.empty())
    return;
  log(log_level::warn, "membership", "no answer from the group coordinator "
      "for ", silent_ms, " ms (3/4 of the session timeout): no longer "
      "serving partitions ", listed(held), ", which the group may give "
      "to another node");
  suspended_ = held;
  suspended_at_ns_ = now;
  tell(false, held);
}

void kafka_membership::rejoin() {
  auto old = consumer();
  std::string reason;
  if (old)
    old->fatal_error(reason);
  // Fenced again soon after the last rejoin: maybe another process under
  // this node's name, so wait longer each time.
  auto since_ms = (now_ns() - rejoined_at_ns_) / 1'000'000;
  if (rejoined_at_ns_ != 0 && since_ms < 60'000)
    rejoin_pause_ = std::min(rejoin_pause_ * 2, std::chrono::milliseconds{30'000});
  else
    rejoin_pause_ = std::chrono::milliseconds{500};
  auto repeated = rejoin_pause_.count() > 500;
  log(repeated ? log_level::error : log_level::warn, "membership",
      "the group ended this node's membership (", reason, "); joining again "
      "in ", rejoin_pause_.count(), " ms",
      repeated ? ". It repeats: does another process use this node's name? "
                 "(give each node its own node-name)"
               : " (after a broker outage this is expected)");
  if (old)
    old->close(); // revokes what it still held: the node stops serving it
  {
    std::lock_guard<std::mutex> guard{consumer_mutex_};
    consumer_.reset();
  }
  old.reset();
  suspended_.clear();
  {
    std::unique_lock<std::mutex> lock{probe_mutex_};
    probe_wake_.wait_for(lock, rejoin_pause_, [this] { return stop_.load(); });
  }
  while (!stop_) {
    std::string err;
    auto fresh = join_group(err);
    if (fresh) {
      {
        std::lock_guard<std::mutex> lock{probe_mutex_};
        probes_.contact(now_ns());
      }
      rejoined_at_ns_ = now_ns();
      std::lock_guard<std::mutex> guard{consumer_mutex_};
      consumer_ = std::move(fresh);
      return;
    }
    log(log_level::error, "membership", err);
    std::unique_lock<std::mutex> lock{probe_mutex_};
    probe_wake_.wait_for(lock, std::chrono::seconds{1},
                         [this] { return stop_.load(); });
  }
}

void kafka_membership::run() {
  while (!stop_) {
    check_contact();
    auto c = consumer();
    if (!c)
      return; // stopped while joining again
    std::unique_ptr<RdKafka::Message> m{c->consume(poll_wait_ms)};
    if (!m || m->err() == RdKafka::ERR__TIMED_OUT
        || m->err() == RdKafka::ERR_NO_ERROR)
      continue; // nothing is fetched; a record would be a stray one
    if (m->err() == RdKafka::ERR__FATAL) {
      m.reset();
      c.reset();
      rejoin();
      continue;
    }
    log(log_level::warn, "membership", "group: ", m->errstr());
  }
}

} // namespace logbase
