#pragma once

/// One client connection as httplib's request parser reads it, and the
/// loop that serves its requests one after another.
///
/// httplib 0.11.4 waits for the next request on a keep-alive connection by
/// polling it every 10 ms and napping 1 ms in between: a thousand open
/// connections wake their threads 100,000 times a second, which on two
/// cores starves the actors that answer them. This loop sleeps in poll()
/// until the client sends (looking up once a second to notice a stopped
/// server), and keeps one read buffer for the whole connection.

#include <chrono>
#include <vector>

#include <httplib.h>

namespace logbase {

class socket_stream final : public httplib::Stream {
public:
  socket_stream(int sock, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override;

  /// Bytes received but not read yet (a pipelined next request).
  bool has_buffered() const {
    return begin_ < end_;
  }

private:
  int sock_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

/// httplib's server with logbase's connection loop.
class connection_server : public httplib::Server {
private:
  bool process_and_close_socket(int sock) override;

  /// Waits until the client sends more; false once it is idle past the
  /// keep-alive timeout, gone, or the server stops.
  bool wait_for_request(int sock) const;
};

} // namespace logbase
