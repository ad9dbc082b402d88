#pragma once

/// Log lines to stderr through spdlog's asynchronous logger (a thread of its
/// own writes them, so no actor waits on stderr), as text
/// (`2024-05-01T10:00:00.123Z WARN component: …`) or, for log shippers, one
/// JSON object a line (`{"time","level","component","message"}`, and
/// `request_id` on lines written while a request is served).

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace logbase {

enum class log_level { debug, info, warn, error };

/// Partitions as "0,2" ("none" when empty), for log lines.
std::string listed(const std::vector<int32_t>& parts);

/// Lines below this level are dropped (config `log-level`, default info).
log_level min_log_level();

/// Sets the level from `debug|info|warn|error`; false for anything else.
bool set_min_log_level(std::string_view name);

enum class log_format { text, json };

/// `text` or `json`; false for anything else.
bool set_log_format(std::string_view name);

/// The request this thread serves now, named in its log lines ("" none).
void set_log_request_id(std::string_view id);

/// Writes what is queued (at exit; lines are written on spdlog's thread).
void flush_log();

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
