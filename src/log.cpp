#include "log.hpp"

#include <cstdlib>
#include <iostream>
#include <mutex>

#include "window.hpp"

namespace logbase {

log_level min_log_level() {
  static const log_level level = [] {
    const char* env = std::getenv("LOGBASE_LOG_LEVEL");
    std::string_view s = env ? env : "info";
    if (s == "debug")
      return log_level::debug;
    if (s == "warn")
      return log_level::warn;
    if (s == "error")
      return log_level::error;
    return log_level::info;
  }();
  return level;
}

void write_log_line(log_level level, std::string_view component,
                    const std::string& text) {
  static constexpr std::string_view names[] = {"DEBUG", "INFO", "WARN",
                                               "ERROR"};
  static std::mutex mtx;
  std::string line = format_instant(now_ns() / 1'000'000 * 1'000'000);
  line += ' ';
  line += names[static_cast<int>(level)];
  line += ' ';
  line += component;
  line += ": ";
  line += text;
  line += '\n';
  std::lock_guard<std::mutex> guard{mtx};
  std::cerr << line << std::flush;
}

} // namespace logbase
