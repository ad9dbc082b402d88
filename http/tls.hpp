#pragma once

/// HTTPS on the HTTP port (`tls-cert`, `tls-key`): OpenSSL on the sockets
/// of logbase's own connection loop (http/connection), which httplib's
/// SSLServer cannot lend its TLS to. The socket is non-blocking while TLS
/// runs on it, so that a client that sends half a record cannot hold a
/// read past its deadline.

#include <chrono>
#include <memory>
#include <string>

#include <sys/types.h>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace logbase {

/// The server's certificate and key; TLS 1.2 or newer.
class tls_context {
public:
  /// Throws std::invalid_argument naming the file that does not do.
  tls_context(const std::string& cert_file, const std::string& key_file);
  ~tls_context();

  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  SSL_CTX* native() const {
    return ctx_;
  }

private:
  SSL_CTX* ctx_ = nullptr;
};

/// One connection's TLS.
class tls_session {
public:
  using time_point = std::chrono::steady_clock::time_point;

  tls_session(const tls_context& ctx, int sock);
  ~tls_session();

  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  /// The handshake, done by `deadline`; false if it failed or took longer.
  bool accept(time_point deadline);

  /// Up to `size` bytes; waits for them until `deadline`. 0: the client
  /// closed; -1: an error, or nothing by the deadline.
  ssize_t read(char* ptr, size_t size, time_point deadline);

  /// Writes some of `ptr`, waiting to be able to until `deadline`; -1 on
  /// an error or a client that reads nothing.
  ssize_t write(const char* ptr, size_t size, time_point deadline);

  /// Decrypted bytes waiting to be read.
  bool has_pending() const;

private:
  /// Waits for what OpenSSL wants after `result`; false on an error or at
  /// the deadline.
  bool wait(int result, time_point deadline);

  SSL* ssl_ = nullptr;
  int sock_;
};

} // namespace logbase
