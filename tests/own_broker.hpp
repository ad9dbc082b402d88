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
  /// A client listener besides PLAINTEXT, on `host` and a port of its own.
  struct listener {
    std::string protocol;   ///< its name and security protocol: SASL_SSL
    std::string properties; ///< k=v lines for server.properties (ssl.*,
                            ///< sasl.*, listener.name.<protocol>.*)
  };

  /// Starts it, listening and advertising on `host` (an address of this
  /// machine that its clients reach), with a second listener if `second`
  /// names a protocol; fails the test if it does not start.
  explicit own_broker(const std::string& host = "127.0.0.1",
                      const listener& second = {});
  /// Stops it and removes its data.
  ~own_broker();

  own_broker(const own_broker&) = delete;
  own_broker& operator=(const own_broker&) = delete;

  /// Runs `tools/kafka VERB` on this broker (start, stop); the exit status.
  int run(const std::string& verb);

  /// HOST:PORT, as clients give it in bootstrap.servers.
  std::string address() const;

  /// The broker's process id (0 when it is not running).
  int pid() const;

  /// HOST:PORT of the second listener.
  std::string second_address() const;

private:
  std::string host_;
  uint16_t port_;
  uint16_t controller_port_;
  uint16_t second_port_ = 0;
  std::string data_;
  std::string settings_; ///< tools/kafka's environment for this broker
};

} // namespace logbase::test
