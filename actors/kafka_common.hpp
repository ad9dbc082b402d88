#pragma once

/// What the Kafka bridge's parts share of librdkafka: configuration from
/// logbase's config (bootstrap servers, the part's own settings, then the
/// user's `kafka.*` settings on top) and producing one out_record.

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "config.hpp"
#include "records.hpp"

namespace logbase {

/// Throws std::runtime_error naming the setting librdkafka refused.
std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra);

/// Produces `r` to `topic`; when the local queue is full, serves delivery
/// reports for up to `wait_ms` and tries once more.
RdKafka::ErrorCode produce_record(RdKafka::Producer& producer,
                                  const std::string& topic,
                                  const out_record& r, void* opaque,
                                  int wait_ms);

} // namespace logbase
