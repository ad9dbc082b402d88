// The server binary as a child process of a test (support.hpp's `server`).

#include "support.hpp"

#include "response_log.hpp"

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

namespace logbase::test {

server::server(const deployment& d, std::vector<std::string> extra_args,
               bool wait, uint16_t port, const std::string& log_file,
               host where)
  : port_(port != 0 ? port : free_port()), where_(std::move(where)),
    log_file_(log_file) {
  const char* bin = std::getenv("LB_TEST_BIN");
  if (bin == nullptr)
    throw std::runtime_error("LB_TEST_BIN is not set (run through meson test)");
  auto args = d.args();
  args.push_back("--http-host=" + where_.address);
  // Other hosts' addresses serve open only when asked to (tests on several
  // hosts run without tokens).
  if (where_.address.rfind("127.", 0) != 0)
    args.push_back("--allow-open");
  args.push_back("--http-port=" + std::to_string(port_));
  // Quiet unless a run that hunts a fault asks for more.
  const char* level = std::getenv("LB_TEST_LOG_LEVEL");
  args.push_back(std::string{"--log-level="} + (level ? level : "warn"));
  for (auto& a : extra_args)
    args.push_back(a);
  // What `ip netns exec` does for the network, without a process between
  // the test and the server (signals reach the server itself).
  auto netns_file = where_.netns.empty() ? std::string{}
                                         : "/run/netns/" + where_.netns;
  auto test_pid = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test that is killed takes its servers along: none outlives it
    // holding ports, or a network namespace the next run removes.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != test_pid)
      ::_exit(124);
    if (!netns_file.empty()) {
      int ns = ::open(netns_file.c_str(), O_RDONLY);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0)
        ::_exit(125);
      ::close(ns);
    }
    if (!log_file.empty()) {
      int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd < 0)
        ::_exit(126);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin));
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin, argv.data());
    ::_exit(127);
  }
  if (wait && !wait_ready()) {
    // No destructor runs for a constructor that throws: end the child
    // here, or it outlives the test and holds meson's output pipe open.
    kill9();
    throw std::runtime_error("the server did not become ready");
  }
}

server::~server() {
  if (pid_ > 0)
    stop();
}

bool server::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped(status);
    return false;
  }
  return true;
}

namespace {

/// The report in a server's log, from its first line on ("" if none).
std::string sanitizer_report(const std::string& log) {
  auto at = log.find("Sanitizer");
  if (at == std::string::npos)
    at = log.find("runtime error");
  if (at == std::string::npos)
    return {};
  auto line = log.rfind('\n', at);
  return log.substr(line == std::string::npos ? 0 : line + 1, 16'000);
}

} // namespace

void server::reaped(int status) {
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + WTERMSIG(status);
  // SIGABRT: a sanitizer's abort_on_error=1 (newer `meson test` sets it
  // when nobody else did), or a failed assertion: a failure all the same.
  bool reported = WIFEXITED(status)
                  && WEXITSTATUS(status) == sanitizer_exit_code;
  bool aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
  if (!reported && !aborted)
    return;
  // Not an exception: this runs in destructors too.
  BOOST_ERROR("the server on port "
              << port_ << (reported ? " exited with a sanitizer report"
                                    : " aborted")
              << ", written to "
              << (log_file_.empty() ? "the test's stderr"
                                    : log_file_ + ":\n"
                                        + sanitizer_report(read_file(log_file_))));
}

bool server::wait_ready(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running())
      return false;
    auto c = client();
    c.set_connection_timeout(1, 0);
    if (auto res = c.Get("/ready"); res && res->status == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int server::stop() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  // A clean stop takes well under this; a hang is a failure, not a wait.
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped(status);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -2;
}

void server::signal(int sig) {
  if (pid_ > 0)
    ::kill(pid_, sig);
}

void server::kill9() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped(status);
}

httplib::Client server::client() const {
  httplib::Client c{where_.address, port_};
  c.set_read_timeout(30, 0);
  record_responses(c);
  return c;
}

} // namespace logbase::test
