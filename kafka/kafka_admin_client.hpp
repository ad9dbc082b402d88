#pragma once

/// librdkafka's admin API as logbase uses it: a client made from the
/// config (`kafka.*` included), owned handles, and results that are errors
/// as exceptions with a message for the operator. Start-up topic checks and
/// the reset/purge commands share it.

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "src/config.hpp"

namespace logbase {

/// How long an admin request may take.
constexpr int admin_timeout_ms = 15'000;

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_destroy(rk);
  }
};
using handle = std::unique_ptr<rd_kafka_t, handle_deleter>;

struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const {
    rd_kafka_queue_destroy(q);
  }
};
using queue = std::unique_ptr<rd_kafka_queue_t, queue_deleter>;

struct event_deleter {
  void operator()(rd_kafka_event_t* e) const {
    rd_kafka_event_destroy(e);
  }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;

/// A client of `type` with the config's brokers and `kafka.*` settings, and
/// `extra` settings; throws std::runtime_error.
handle connect(const config& cfg, rd_kafka_type_t type = RD_KAFKA_PRODUCER,
               const std::map<std::string, std::string>& extra = {});

/// The result event of an admin request; throws std::runtime_error when
/// none comes in time or it failed as a whole.
event_ptr wait_result(rd_kafka_queue_t* q, const char* what);

/// Every topic the broker lists, with its partition count.
std::map<std::string, int32_t> existing_topics(rd_kafka_t* rk);

} // namespace logbase
