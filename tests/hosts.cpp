#include "hosts.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sstream>

#include <unistd.h>

namespace logbase::test {

namespace {

struct outcome {
  int status;
  std::string output; ///< stdout and stderr
};

outcome run(const std::string& command) {
  outcome out{-1, {}};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe))
    out.output.append(buf, n);
  out.status = ::pclose(pipe);
  return out;
}

std::vector<std::string> lines_of(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream text{run(command).output};
  for (std::string line; std::getline(text, line);)
    out.push_back(line);
  return out;
}

/// Whether a process lives with this pid (the owner of names carrying it).
bool alive(const std::string& pid) {
  auto p = static_cast<pid_t>(std::stol(pid));
  return ::kill(p, 0) == 0 || errno == EPERM;
}

/// Namespaces and links of earlier runs whose process is gone: a run that
/// was killed had no chance to remove them.
void remove_leftovers() {
  static const std::regex netns{R"(^lbhosts-(\d+)-\d+)"};
  static const std::regex link{R"(^\d+: (lbh(\d+)(-\d+)?)[@:])"};
  std::smatch m;
  // Namespaces first: removing one removes the veth ends inside it.
  for (auto& line : lines_of("ip netns list"))
    if (std::regex_search(line, m, netns) && !alive(m[1]))
      run("ip netns del " + m[0].str());
  for (auto& line : lines_of("ip -o link show"))
    if (std::regex_search(line, m, link) && !alive(m[2]))
      run("ip link del " + m[1].str());
}

/// `10.213.K.` for a K no address of this namespace uses yet, or "".
std::string free_subnet() {
  auto addresses = run("ip -o -4 addr show").output;
  for (int k = 0; k < 256; ++k) {
    auto prefix = "10.213." + std::to_string((::getpid() + k) % 256) + ".";
    if (addresses.find("inet " + prefix) == std::string::npos)
      return prefix;
  }
  return {};
}

} // namespace

simulated_hosts::simulated_hosts(size_t count) {
  if (const char* mode = std::getenv("LB_TEST_HOSTS");
      mode != nullptr && std::string{mode} == "loopback") {
    use_loopback(count, "LB_TEST_HOSTS=loopback");
    return;
  }
  if (auto why = make_namespaces(count); !why.empty()) {
    use_loopback(count, "network namespaces refused: " + why);
    return;
  }
  std::cout << "hosts: " << count << " network namespaces "
            << hosts_.front().netns << " … " << hosts_.back().netns
            << ", addresses " << hosts_.front().address << " … "
            << hosts_.back().address << ", bridge " << bridge_ << " at "
            << gateway_ << std::endl;
}

simulated_hosts::~simulated_hosts() {
  remove_namespaces();
}

std::string simulated_hosts::make_namespaces(size_t count) {
  remove_leftovers();
  auto subnet = free_subnet();
  if (subnet.empty())
    return "no 10.213.K.0/24 is free";
  auto pid = std::to_string(::getpid());
  bridge_ = "lbh" + pid;
  gateway_ = subnet + "1";
  std::vector<std::string> steps{"ip link add " + bridge_ + " type bridge",
                                 "ip addr add " + gateway_ + "/24 dev " + bridge_,
                                 "ip link set " + bridge_ + " up"};
  for (size_t i = 0; i < count; ++i) {
    auto ns = "lbhosts-" + pid + "-" + std::to_string(i);
    auto veth = bridge_ + "-" + std::to_string(i);
    auto address = subnet + std::to_string(i + 2);
    steps.insert(steps.end(),
                 {"ip netns add " + ns,
                  "ip link add " + veth + " type veth peer name eth0 netns " + ns,
                  "ip link set " + veth + " master " + bridge_ + " up",
                  "ip -n " + ns + " addr add " + address + "/24 dev eth0",
                  "ip -n " + ns + " link set eth0 up",
                  "ip -n " + ns + " link set lo up"});
    hosts_.push_back({address, ns});
  }
  for (auto& step : steps)
    if (auto done = run(step); done.status != 0) {
      remove_namespaces();
      auto said = done.output.substr(0, done.output.find_last_not_of('\n') + 1);
      return "`" + step + "`: " + said;
    }
  return {};
}

bool simulated_hosts::cut(size_t i) {
  return isolated()
         && run("ip link set " + bridge_ + "-" + std::to_string(i) + " down")
                .status
              == 0;
}

bool simulated_hosts::mend(size_t i) {
  return isolated()
         && run("ip link set " + bridge_ + "-" + std::to_string(i) + " up")
                .status
              == 0;
}

void simulated_hosts::remove_namespaces() {
  if (bridge_.empty())
    return;
  // Quietly: after a refusal, some of them were never made.
  for (auto& h : hosts_)
    run("ip netns del " + h.netns);
  run("ip link del " + bridge_);
  hosts_.clear();
  bridge_.clear();
}

void simulated_hosts::use_loopback(size_t count, const std::string& why) {
  hosts_.clear();
  for (size_t i = 0; i < count; ++i)
    hosts_.push_back({"127.0.0." + std::to_string(i + 2), ""});
  gateway_ = "127.0.0.1";
  std::cout << "hosts: FALLING BACK to loopback addresses 127.0.0.2 … "
            << hosts_.back().address
            << " on this machine's own network, no namespaces (" << why
            << ")" << std::endl;
}

} // namespace logbase::test
