#include "connection.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace logbase {

namespace {

constexpr size_t buffer_bytes = 4096;

/// How often a waiting connection looks whether the server stopped.
constexpr int stop_check_ms = 1000;

/// poll() for `events`, up to `timeout`; true when the socket is ready
/// (or in error: the next read or write then says so).
bool wait_for(int sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n >= 0)
      return n > 0;
    if (errno != EINTR)
      return false;
  }
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  }
  ip = text;
}

} // namespace

socket_stream::socket_stream(int sock, std::chrono::milliseconds read_timeout,
                             std::chrono::milliseconds write_timeout)
  : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout),
    buffer_(buffer_bytes) {
  // nop
}

bool socket_stream::is_readable() const {
  return has_buffered() || wait_for(sock_, POLLIN, read_timeout_);
}

bool socket_stream::is_writable() const {
  return wait_for(sock_, POLLOUT, write_timeout_);
}

ssize_t socket_stream::read(char* ptr, size_t size) {
  if (!has_buffered()) {
    if (!wait_for(sock_, POLLIN, read_timeout_))
      return -1;
    // Large reads go straight into the caller's memory.
    if (size >= buffer_.size()) {
      ssize_t n;
      do {
        n = ::recv(sock_, ptr, size, 0);
      } while (n < 0 && errno == EINTR);
      return n;
    }
    ssize_t n;
    do {
      n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
      return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
  }
  auto n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t socket_stream::write(const char* ptr, size_t size) {
  if (!is_writable())
    return -1;
  ssize_t n;
  do {
    n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void socket_stream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, ip, port);
}

void socket_stream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, ip, port);
}

int socket_stream::socket() const {
  return sock_;
}

bool connection_server::wait_for_request(int sock) const {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + seconds(keep_alive_timeout_sec_);
  for (;;) {
    if (svr_sock_ == INVALID_SOCKET)
      return false;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0)
      return false;
    if (wait_for(sock, POLLIN, std::min(left, milliseconds(stop_check_ms))))
      return true;
  }
}

bool connection_server::process_and_close_socket(int sock) {
  using namespace std::chrono;
  auto timeout = [](time_t sec, time_t usec) {
    return duration_cast<milliseconds>(seconds(sec) + microseconds(usec));
  };
  socket_stream strm{sock, timeout(read_timeout_sec_, read_timeout_usec_),
                     timeout(write_timeout_sec_, write_timeout_usec_)};
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!strm.has_buffered() && !wait_for_request(sock))
      break;
    bool closed = false;
    ok = process_request(strm, left == 1, closed, nullptr);
    if (!ok || closed)
      break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

} // namespace logbase
