#pragma once

/// Plain line logging to stderr: `2024-05-01T10:00:00.123Z WARN component: …`.
/// Debian's CAF is built without logging, and lines are all a server needs.

#include <sstream>
#include <string>
#include <string_view>

namespace logbase {

enum class log_level { debug, info, warn, error };

/// Lines below this level are dropped (config `log-level`, default info).
log_level min_log_level();

/// Sets the level from `debug|info|warn|error`; false for anything else.
bool set_min_log_level(std::string_view name);

void write_log_line(log_level level, std::string_view component,
                    const std::string& text);

template <class... Ts>
void log(log_level level, std::string_view component, const Ts&... xs) {
  if (level < min_log_level())
    return;
  std::ostringstream out;
  (out << ... << xs);
  write_log_line(level, component, out.str());
}

} // namespace logbase
