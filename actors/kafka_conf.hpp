#pragma once

/// librdkafka configuration from logbase's config: bootstrap servers, the
/// component's own settings, then the user's `kafka.*` settings on top.

#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "config.hpp"

namespace logbase {

/// Throws std::runtime_error naming the setting librdkafka refused.
std::unique_ptr<RdKafka::Conf>
make_conf(const config& cfg, const std::map<std::string, std::string>& extra);

} // namespace logbase
