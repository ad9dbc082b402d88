#pragma once

// A plain TCP client for the API tests, so that a test controls every byte
// and every read of an HTTP connection.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

namespace logbase::test {

using namespace std::chrono_literals;

/// A plain TCP client, so that a test controls every byte and every read.
class raw_client {
public:
  explicit raw_client(uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(fd_ >= 0);
    if (receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                   sizeof(receive_buffer));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr),
                            sizeof(addr))
                  == 0);
  }

  ~raw_client() {
    close();
  }

  void send(const std::string& bytes) {
    BOOST_REQUIRE(try_send(bytes));
  }

  /// Sends what the server takes; false once it stopped taking (it may
  /// have answered and closed).
  bool try_send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  /// Reads one whole response (head and Content-Length body) within 10 s;
  /// empty when the connection ended or nothing came.
  std::string read_response() {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      auto head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t length = 0;
        auto cl = buffer_.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end)
          length = std::stoul(buffer_.substr(cl + 16));
        auto total = head_end + 4 + length;
        if (buffer_.size() >= total) {
          auto r = buffer_.substr(0, total);
          buffer_.erase(0, total);
          return r;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return {};
      char chunk[65536];
      auto n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0)
        return {};
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_ = -1;
  std::string buffer_;
};

inline std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

inline std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

inline std::string body_of(const std::string& response) {
  auto i = response.find("\r\n\r\n");
  return i == std::string::npos ? std::string{} : response.substr(i + 4);
}

/// What a dribbling client saw.
struct dribbled {
  size_t sent = 0;  ///< bytes of the request sent before it stopped
  size_t whole = 0; ///< bytes of the request but its last four (never sent)
  bool cut = false; ///< the server closed or reset the connection
};

/// A connection that sends a request a byte every `gap` (each read's own
/// timeout, 10 s, never trips), never its last four bytes, so that only the
/// server's request timeout can end it.
inline dribbled dribble(uint16_t port, std::chrono::milliseconds gap,
                        std::string* answer) {
  int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  BOOST_REQUIRE(::connect(sock, reinterpret_cast<sockaddr*>(&addr),
                          sizeof(addr)) == 0);
  std::string request = "GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: "
                        + std::string(60, 'a') + "\r\n\r\n";
  dribbled out;
  out.whole = request.size() - 4;
  for (size_t i = 0; i < out.whole; ++i) {
    if (::send(sock, &request[i], 1, MSG_NOSIGNAL) != 1)
      break;
    ++out.sent;
    std::this_thread::sleep_for(gap);
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0)
      break; // an answer, or the close
  }
  char buf[512];
  timeval tv{5, 0}; // the close comes well within this, or never
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  for (;;) {
    auto n = ::recv(sock, buf, sizeof(buf), 0);
    if (n <= 0) {
      out.cut = n == 0 || errno == ECONNRESET;
      break;
    }
    answer->append(buf, static_cast<size_t>(n));
  }
  ::close(sock);
  return out;
}

} // namespace logbase::test
