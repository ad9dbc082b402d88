#pragma once

/// Every config key, declared once: its name, what it holds, its range, its
/// default (read from `config{}`), its help and its environment name. The
/// flags, the `LOGBASE_*` environment, the config file and `--help` all
/// come from this table; the README's table is checked against it
/// (tests/config_test.cpp). `kafka.<property>` is not in it: any librdkafka
/// property passes through (config.cpp).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/config.hpp"

namespace logbase {

struct config_key {
  std::string_view name; ///< as in `--name=value` and `name = value`
  std::string_view help; ///< one paragraph; --help wraps it
  std::string range;     ///< what a value may be ("1 to 64"; "" any text)
  /// Sets the key from its text; throws std::invalid_argument with a
  /// message for the user.
  std::function<void(config&, const std::string&)> set;
  /// The value as text (--help shows that of `config{}`: the default).
  std::function<std::string(const config&)> show;
};

/// The table, in --help's order.
const std::vector<config_key>& config_keys();

/// The key called `name`, or nullptr.
const config_key* find_config_key(std::string_view name);

/// Its environment variable: `http-port` → `LOGBASE_HTTP_PORT`,
/// `kafka.sasl.username` → `LOGBASE_KAFKA_SASL_USERNAME`.
std::string env_name_of(std::string_view key);

} // namespace logbase
