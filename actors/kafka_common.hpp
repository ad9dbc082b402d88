#pragma once

/// What the Kafka bridge's parts share of librdkafka: configuration from
/// logbase's config (bootstrap servers, logbase's client defaults, the
/// part's own settings, then the user's `kafka.*` settings on top) and
/// producing one out_record.

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "config.hpp"
#include "records.hpp"

namespace logbase {

/// The settings for one librdkafka client; nullptr with `err` naming the
/// setting librdkafka refused.
std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra,
          std::string& err);

/// Produces `r` to `topic` without blocking; ERR__QUEUE_FULL when the local
/// queue is full.
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque);

} // namespace logbase
