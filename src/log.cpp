#include "src/log.hpp"

#include <atomic>
#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "src/json.hpp"

namespace logbase {

namespace {

std::atomic<log_level> current_level{log_level::info};
std::atomic<log_format> current_format{log_format::text};
thread_local std::string request_id;

/// Lines queued for the writer thread; past it a writer waits (none lost).
constexpr size_t queued_lines = 32'768;

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    spdlog::init_thread_pool(queued_lines, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto l = std::make_shared<spdlog::async_logger>(
      "logbase", sink, spdlog::thread_pool(),
      spdlog::async_overflow_policy::block);
    l->set_level(spdlog::level::trace); // levels are decided here, before
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *instance;
}

void apply_pattern() {
  // Time by spdlog (UTC, milliseconds); the rest is the formatted line.
  if (current_format == log_format::json)
    logger().set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ",%v})",
                         spdlog::pattern_time_type::utc);
  else
    logger().set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v",
                         spdlog::pattern_time_type::utc);
}

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

bool set_log_format(std::string_view name) {
  if (name == "text")
    current_format = log_format::text;
  else if (name == "json")
    current_format = log_format::json;
  else
    return false;
  apply_pattern();
  return true;
}

void set_log_request_id(std::string_view id) {
  request_id = id;
}

void flush_log() {
  logger().flush();
}

std::string listed(const std::vector<int32_t>& parts) {
  std::string out;
  for (auto p : parts)
    out += (out.empty() ? "" : ",") + std::to_string(p);
  return out.empty() ? "none" : out;
}

void write_log_line(log_level level, std::string_view component,
                    const std::string& text) {
  static constexpr std::string_view upper[] = {"DEBUG", "INFO", "WARN",
                                               "ERROR"};
  static constexpr std::string_view lower[] = {"debug", "info", "warn",
                                               "error"};
  static const bool patterned = (apply_pattern(), true);
  (void)patterned;
  auto i = static_cast<size_t>(level);
  std::string line;
  if (current_format == log_format::json) {
    line = R"("level":")";
    line += lower[i];
    line += R"(","component":)";
    append_json_string(line, component);
    line += R"(,"message":)";
    append_json_string(line, text);
    if (!request_id.empty()) {
      line += R"(,"request_id":)";
      append_json_string(line, request_id);
    }
  } else {
    line = upper[i];
    line += ' ';
    line += component;
    line += ": ";
    line += text;
    if (!request_id.empty()) {
      line += " [request ";
      line += request_id;
      line += ']';
    }
  }
  static constexpr spdlog::level::level_enum levels[]
    = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
       spdlog::level::err};
  logger().log(levels[i], spdlog::string_view_t{line});
}

} // namespace logbase
