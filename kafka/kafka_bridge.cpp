#include "kafka/kafka_bridge.hpp"

#include <caf/all.hpp>

#include "kafka/kafka_bridge_state.hpp"

namespace logbase {

void kafka_bridge_state::start_delivery_thread(caf::weak_actor_ptr bridge) {
  reporter->topic_ids = &topic_ids;
  delivery_thread = std::thread{[this, bridge] {
    while (!stopping) {
      auto window = spin.until_ns();
      auto wait_ms = spin.poll_timeout_ms(now_ns(), delivery_wait_ms);
      producer->poll(wait_ms);
      if (reporter->reports.empty()) {
        if (wait_ms == 0)
          std::this_thread::yield(); // spinning: others on this core first
        continue;
      }
      spin.reported(window);
      reporter->latencies.flush();
      // The records first: the writer finds them read when its answer
      // comes.
      if (!reporter->durable.empty()) {
        auto n = reporter->durable.size();
        auto own = share_by_topic(std::exchange(reporter->durable, {}),
                                  std::exchange(reporter->durable_events, {}));
        reporter->durable.reserve(n); // room for a poll like this one
        reporter->durable_events.reserve(n);
        std::lock_guard<std::mutex> guard{feeds_mutex};
        for (auto& f : feeds)
          f->offer(own);
      }
      if (auto strong = bridge.lock())
        caf::anon_send(caf::actor_cast<kafka_bridge_actor>(strong),
                       delivered_atom::value, std::move(reporter->reports));
      reporter->reports.clear();
    }
  }};
}

kafka_bridge_actor::behavior_type
kafka_bridge(kafka_bridge_actor::stateful_pointer<kafka_bridge_state> self) {
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.shut_down();
    self->quit(msg.reason);
  });
  auto& st = self->state;
  std::array<std::string, all_topics.size()> names;
  std::copy(st.topic_names.begin(), st.topic_names.end(), names.begin());
  st.transactor = spawn_transactor(self, st.cfg, names, st.group);
  st.querier = spawn_querier(self, st.cfg, names);
  st.start_delivery_thread(caf::actor_cast<caf::weak_actor_ptr>(self));
  return {
    [=](produce_atom, std::vector<out_record>& records) {
      auto rp = self->make_response_promise<std::vector<delivery>>();
      self->state.produce(rp, records);
      return rp;
    },
    [=](delivered_atom, const std::vector<delivery_report>& reports) {
      self->state.on_delivered(reports);
    },
    [=](commit_atom, std::vector<out_record>& records) {
      return self->delegate(self->state.transactor, commit_atom::value,
                            std::move(records));
    },
    [=](subscribe_atom, const std::vector<assignment>& parts,
        record_sink_actor sink) { self->state.subscribe(parts, sink); },
    [=](release_atom, const std::vector<assignment>& parts,
        record_sink_actor sink) { self->state.release(parts, sink); },
    [=](join_atom, membership_sink_actor sink) { self->state.join(sink); },
    [=](watermark_atom, uint8_t topic_id,
        int32_t partition) -> caf::result<int64_t> {
      if (auto end = self->state.cached_end(topic_id, partition); end >= 0)
        return end;
      return self->delegate(self->state.querier, watermark_atom::value,
                            topic_id, partition);
    },
    [=](ends_atom, uint8_t topic_id) {
      return self->delegate(self->state.querier, ends_atom::value, topic_id,
                            self->state.layout.of(static_cast<topic>(topic_id)));
    },
  };
}

} // namespace logbase

namespace logbase {

kafka_bridge_actor spawn_kafka_bridge(caf::actor_system& sys, config cfg,
                                      topic_layout layout) {
  // The producer is made here, so that bad settings fail the caller, not
  // the actor; the bridge then owns it.
  auto st = std::make_shared<kafka_bridge_state>();
  st->make_producer(std::move(cfg), layout);
  // On the actors' scheduler, not detached: nothing it does blocks
  // (produce never does; consumers and delivery reports have threads of
  // their own), and a detached bridge cost two thread wake-ups per write
  // (each event POST: 7.8 context switches in the server, now 4.9; 16
  // writers 1.3x faster). Only its shutdown blocks (the producer's flush),
  // when the other actors have already been told to stop.
  return sys.spawn(
    [st](kafka_bridge_actor::stateful_pointer<kafka_bridge_state> self) {
      self->state.take_over(std::move(*st));
      return kafka_bridge(self);
    });
}

} // namespace logbase
