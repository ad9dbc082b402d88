#pragma once

#include <map>
#include <string>
#include <vector>

namespace logbase {

/// `logbase reset|purge [--key=value …] [--yes]`: the exit status (0 done or
/// nothing to do, 1 not confirmed, 2 bad flags or Kafka failed, 3 nodes
/// still running).
int run_maintenance(const std::string& command,
                    const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& environment);

} // namespace logbase
