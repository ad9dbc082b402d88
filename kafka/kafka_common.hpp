#pragma once

/// What the Kafka bridge's parts share of librdkafka: configuration from
/// logbase's config (bootstrap servers, logbase's client defaults, the
/// part's own settings, then the user's `kafka.*` settings on top),
/// producing one out_record and reading a message's headers.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "src/config.hpp"
#include "messages/inspect.hpp"

namespace logbase {

/// The settings for one librdkafka client; nullptr with `err` naming the
/// setting librdkafka refused.
std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra,
          std::string& err);

/// Produces `r` (with its headers) to `topic` without blocking;
/// ERR__QUEUE_FULL when the local queue is full.
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque);

/// The headers of a consumed or delivered message (none: empty).
std::vector<record_header> read_headers(const rd_kafka_message_t* m);
std::vector<record_header> read_headers(RdKafka::Message& m);

} // namespace logbase
