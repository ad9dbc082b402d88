#include "http/tls.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace logbase {

namespace {

std::string openssl_error() {
  char text[256] = "unknown error";
  if (auto code = ERR_get_error(); code != 0)
    ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

} // namespace

tls_context::tls_context(const std::string& cert_file,
                         const std::string& key_file) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr)
    throw std::invalid_argument("TLS: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE
                           | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) {
    auto why = openssl_error();
    SSL_CTX_free(ctx_);
    throw std::invalid_argument("tls-cert '" + cert_file
                                + "' is not a PEM certificate: " + why);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM)
        != 1
      || SSL_CTX_check_private_key(ctx_) != 1) {
    auto why = openssl_error();
    SSL_CTX_free(ctx_);
    throw std::invalid_argument("tls-key '" + key_file
                                + "' is not the unencrypted PEM key of "
                                  "tls-cert: " + why);
  }
}

tls_context::~tls_context() {
  SSL_CTX_free(ctx_);
}

tls_session::tls_session(const tls_context& ctx, int sock)
  : ssl_(SSL_new(ctx.native())), sock_(sock) {
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  if (ssl_ != nullptr)
    SSL_set_fd(ssl_, sock);
}

tls_session::~tls_session() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_); // one close_notify, no wait for the client's
    SSL_free(ssl_);
  }
  ERR_clear_error();
}

bool tls_session::wait(int result, time_point deadline) {
  short events;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      events = POLLIN;
      break;
    case SSL_ERROR_WANT_WRITE:
      events = POLLOUT;
      break;
    case SSL_ERROR_SYSCALL:
      if (errno == EINTR)
        return true;
      [[fallthrough]];
    default:
      ERR_clear_error();
      return false;
  }
  using namespace std::chrono;
  for (;;) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{sock_, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0)
      return true;
    if (n < 0 && errno != EINTR)
      return false;
  }
}

bool tls_session::accept(time_point deadline) {
  if (ssl_ == nullptr)
    return false;
  for (;;) {
    int r = SSL_accept(ssl_);
    if (r == 1)
      return true;
    if (!wait(r, deadline))
      return false;
  }
}

ssize_t tls_session::read(char* ptr, size_t size, time_point deadline) {
  for (;;) {
    int r = SSL_read(ssl_, ptr, static_cast<int>(size));
    if (r > 0)
      return r;
    if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN)
      return 0;
    if (!wait(r, deadline))
      return -1;
  }
}

ssize_t tls_session::write(const char* ptr, size_t size, time_point deadline) {
  for (;;) {
    int r = SSL_write(ssl_, ptr, static_cast<int>(size));
    if (r > 0)
      return r;
    if (!wait(r, deadline))
      return -1;
  }
}

bool tls_session::has_pending() const {
  return SSL_pending(ssl_) > 0;
}

} // namespace logbase
