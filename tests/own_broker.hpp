#pragma once

// A broker of a test's own (tools/kafka on its own ports and data folder),
// so that stopping it, or making it listen elsewhere, disturbs no other test.
// Its data folder, in the working folder, carries the test's pid: brokers
// that a killed run left behind are stopped by the next.

#include <cstdint>
#include <string>

namespace logbase::test {

class own_broker {
public:
  /// Starts it, listening and advertising on `host` (an address of this
  /// machine that its clients reach); fails the test if it does not start.
  explicit own_broker(const std::string& host = "127.0.0.1");
  /// Stops it and removes its data.
  ~own_broker();

  own_broker(const own_broker&) = delete;
  own_broker& operator=(const own_broker&) = delete;

  /// Runs `tools/kafka VERB` on this broker (start, stop); the exit status.
  int run(const std::string& verb);

  /// HOST:PORT, as clients give it in bootstrap.servers.
  std::string address() const;

private:
  std::string host_;
  uint16_t port_;
  uint16_t controller_port_;
  std::string data_;
};

} // namespace logbase::test
