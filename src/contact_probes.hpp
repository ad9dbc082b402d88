#pragma once

/// When to ask the group coordinator whether it still hears this node, and
/// when it last did. An answered question is contact as of when it was
/// asked: the coordinator heard the node after that.
///
/// One question at a time left the guard blind for as long as one answer
/// took: on a 2-core machine under load the broker's pauses (collections of
/// 0.4 s, one answer of 3.3 s) came on top of the interval and of the
/// previous answer, and a lone node stopped serving for seconds though its
/// session never ended. So while a question is outstanding the next one
/// goes sooner, without waiting for it, and a few may be in flight: after
/// a pause of the broker, the newest answered question dates contact to
/// just before the pause ended, not to before it began. The cap keeps a
/// pile of questions from delaying the heartbeats queued behind them on the
/// coordinator's connection.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace logbase {

class contact_probes {
public:
  /// `interval_ns` between questions when answers come; `hurry_ns` while
  /// one is outstanding; at most `max_in_flight` outstanding.
  contact_probes(int64_t interval_ns, int64_t hurry_ns, size_t max_in_flight)
    : interval_ns_(interval_ns),
      hurry_ns_(hurry_ns),
      max_in_flight_(max_in_flight) {
    // nop
  }

  /// When the next question is due; never (the largest value) while as
  /// many as allowed are outstanding.
  int64_t next_ask_at() const {
    if (in_flight_ >= max_in_flight_)
      return std::numeric_limits<int64_t>::max();
    return last_asked_ns_ + (in_flight_ > 0 ? hurry_ns_ : interval_ns_);
  }

  /// A question goes out at `now_ns`.
  void asked(int64_t now_ns) {
    ++in_flight_;
    last_asked_ns_ = now_ns;
  }

  /// The question asked at `asked_ns` came back; `heard` when the
  /// coordinator answered it (not an error or a timeout).
  void answered(int64_t asked_ns, bool heard) {
    --in_flight_;
    if (heard)
      last_contact_ns_ = std::max(last_contact_ns_, asked_ns);
  }

  /// Contact as of `now_ns` without a question (joined the group afresh).
  void contact(int64_t now_ns) {
    last_contact_ns_ = std::max(last_contact_ns_, now_ns);
  }

  int64_t last_contact_ns() const {
    return last_contact_ns_;
  }

  size_t in_flight() const {
    return in_flight_;
  }

private:
  int64_t interval_ns_;
  int64_t hurry_ns_;
  size_t max_in_flight_;
  size_t in_flight_ = 0;
  int64_t last_asked_ns_ = 0;
  int64_t last_contact_ns_ = 0;
};

} // namespace logbase
