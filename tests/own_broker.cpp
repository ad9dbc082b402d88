#include "own_broker.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

namespace logbase::test {

namespace {

/// tools/kafka with these settings, its output dropped; the exit status.
int kafka(const std::string& settings, const std::string& verb) {
  const char* tools = std::getenv("LB_TEST_TOOLS");
  BOOST_REQUIRE(tools != nullptr);
  return std::system((settings + " " + tools + "/kafka " + verb
                      + " >/dev/null")
                       .c_str());
}

/// Brokers of test runs that were killed (their data folders carry the
/// run's pid, and that process is gone) keep running on their own: they
/// are stopped, and their data removed.
void stop_leftovers(const std::string& folder) {
  static const std::regex name{R"(^own-broker-(\d+)-\d+$)"};
  std::error_code ignored;
  for (auto& entry : std::filesystem::directory_iterator{folder, ignored}) {
    auto base = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(base, m, name))
      continue;
    auto pid = static_cast<pid_t>(std::stol(m[1]));
    if (::kill(pid, 0) == 0 || errno == EPERM)
      continue;
    kafka("KAFKA_DATA=" + entry.path().string(), "stop");
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

/// `text` as one word of sh, whatever it holds (newlines, quotes).
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

} // namespace

own_broker::own_broker(const std::string& host, const listener& second)
  : host_(host), port_(free_port()), controller_port_(free_port()) {
  auto folder = std::filesystem::current_path().string();
  stop_leftovers(folder);
  data_ = folder + "/own-broker-" + std::to_string(::getpid()) + "-"
          + std::to_string(port_);
  settings_ = "KAFKA_HOST=" + host_ + " KAFKA_PORT=" + std::to_string(port_)
              + " KAFKA_DATA=" + data_ + " KAFKA_CONTROLLER_PORT="
              + std::to_string(controller_port_);
  if (!second.protocol.empty()) {
    second_port_ = free_port();
    settings_ += " KAFKA_EXTRA_LISTENERS=" + second.protocol + "://"
                 + second_address() + " KAFKA_EXTRA_PROPS="
                 + quoted(second.properties);
  }
  BOOST_REQUIRE(run("start") == 0);
}

own_broker::~own_broker() {
  run("stop");
  std::error_code ignored;
  std::filesystem::remove_all(data_, ignored);
}

int own_broker::run(const std::string& verb) {
  return kafka(settings_, verb);
}

std::string own_broker::address() const {
  return host_ + ":" + std::to_string(port_);
}

int own_broker::pid() const {
  std::ifstream in{data_ + "/kafka.pid"};
  int pid = 0;
  in >> pid;
  return pid;
}

std::string own_broker::second_address() const {
  return host_ + ":" + std::to_string(second_port_);
}

} // namespace logbase::test
