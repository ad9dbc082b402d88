#include "log.hpp"

#include <atomic>
#include <iostream>
#include <mutex>

#include "window.hpp"

namespace logbase {

namespace {

std::atomic<log_level> current_level{log_level::info};

} // namespace

log_level min_log_level() {
  return current_level.load(std::memory_order_relaxed);
}

bool set_min_log_level(std::string_view name) {
  if (name == "debug")
    current_level = log_level::debug;
  else if (name == "info")
    current_level = log_level::info;
  else if (name == "warn")
    current_level = log_level::warn;
  else if (name == "error")
    current_level = log_level::error;
  else
    return false;
  return true;
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
