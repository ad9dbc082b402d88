#pragma once

/// This node's membership in the app id's consumer group on `events`: the
/// group coordinator decides which node owns which partition
/// (cooperative-sticky, so a rebalance moves only what must move). The
/// consumer fetches nothing (its partitions stay paused; the feeds read
/// them); a thread of its own polls it, which keeps it in the group, and
/// turns its rebalance callbacks into messages to the node actor:
/// `assign` for partitions gained, `revoke` for partitions to give up,
/// which the thread waits on, so that the group hands a partition on only
/// after this node stopped serving it and committed its counts.
///
/// A node cut off from the broker must not serve stale state: the group
/// gives its partitions to others once its session times out. So probe
/// threads ask the group coordinator something small every second (sooner,
/// and a few at once, while an answer is late: src/contact_probes.hpp), and
/// once the polling thread sees no question answered that was asked in the
/// last 3/4 of the session timeout (before the group can have moved them: its
/// heartbeats go every twelfth) it gives its partitions up here first (as if
/// revoked); when the coordinator answers again and the group still gives
/// it them, it takes them again.
///
/// Static membership (group.instance.id = the node's name): a node that
/// restarts within the session timeout gets its partitions back without a
/// rebalance; one that stops or dies keeps them until its session times
/// out, and then the others take them over.
///
/// librdkafka ends a static member for good (a fatal error: "fenced by
/// other consumer with same group.instance.id") when its session timed out
/// during an outage and its rejoin raced the broker's restart. The thread
/// then closes that consumer and joins again with a new one, after a pause
/// that doubles while fencing repeats (two processes under one node name
/// would otherwise take the membership from each other in a tight loop).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "src/config.hpp"
#include "src/contact_probes.hpp"
#include "messages/interfaces.hpp"
#include "kafka/restore_watch.hpp"

namespace logbase {

class kafka_membership {
public:
  /// Joins the group and starts the thread; nullptr and `err` when
  /// librdkafka refuses the settings or the subscription. The restore
  /// `watch` is held until the group first gives this node its share.
  static std::unique_ptr<kafka_membership>
  make(const config& cfg, membership_sink_actor sink,
       std::shared_ptr<restore_watch> watch, std::string& err);

  /// Stops the thread and closes the consumer.
  ~kafka_membership();

  kafka_membership(const kafka_membership&) = delete;
  kafka_membership& operator=(const kafka_membership&) = delete;

  /// Asks the thread to stop, without waiting for it.
  void stop();

  /// This member's group metadata now (member id, generation): a
  /// transaction that sends offsets with it is refused by the group
  /// coordinator once this node is no longer that member (a zombie).
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group_metadata();

  class rebalancer;

private:
  kafka_membership() = default;

  void run();

  /// A consumer in the group, subscribed; nullptr and `err` if refused.
  std::shared_ptr<RdKafka::KafkaConsumer> join_group(std::string& err);

  /// The consumer now (replaced after a fatal error); may be nullptr.
  std::shared_ptr<RdKafka::KafkaConsumer> consumer();

  /// After a fatal error: closes the consumer and joins again.
  void rejoin();

  /// Gives partitions up, or takes them again, after the probe's answers.
  void check_contact();

  /// Each of the probe threads: asks the coordinator, when its turn comes,
  /// whether it still hears this node (see above), and notes the answer.
  void probe();

  /// Asks the node to give up (or take again) partitions, waiting for it.
  void tell(bool take, const std::vector<int32_t>& parts);

  std::unique_ptr<rebalancer> rebalancer_;
  membership_sink_actor sink_;
  int64_t suspended_at_ns_ = 0;
  std::mutex probe_mutex_;
  std::condition_variable probe_wake_;
  /// How often the probe asks the coordinator while answers come. The step
  /// back comes 3/4 of a session after the last answered question, however
  /// often it asks; asking every 500 ms cost an idle node about 7 % more
  /// CPU (1.05-1.12 % of a core against 0.98-1.00 %).
  static constexpr int probe_interval_ms = 1000;
  /// While a question is outstanding the next goes this soon, up to a few
  /// at once (src/contact_probes.hpp says why).
  static constexpr int probe_hurry_ms = 500;
  static constexpr size_t probes_in_flight = 3;
  /// When to ask next, and how many questions are out (under probe_mutex_).
  contact_probes probes_{int64_t{probe_interval_ms} * 1'000'000,
                         int64_t{probe_hurry_ms} * 1'000'000,
                         probes_in_flight};
  std::vector<std::thread> probe_threads_;
  /// Partitions given up for want of contact, still assigned.
  std::vector<int32_t> suspended_;
  config cfg_;
  std::mutex consumer_mutex_;
  std::shared_ptr<RdKafka::KafkaConsumer> consumer_;
  /// Pause before the next rejoin; doubles while fencing repeats.
  std::chrono::milliseconds rejoin_pause_{500};
  int64_t rejoined_at_ns_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Where the changelog transactor finds this node's membership, once the
/// node joined (shared by the bridge and the transactor's thread).
struct membership_slot {
  std::mutex mutex;
  std::shared_ptr<kafka_membership> current;

  /// The current member's metadata; nullptr before the node joined.
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> metadata() {
    std::shared_ptr<kafka_membership> m;
    {
      std::lock_guard<std::mutex> guard{mutex};
      m = current;
    }
    return m ? m->group_metadata() : nullptr;
  }
};

} // namespace logbase
