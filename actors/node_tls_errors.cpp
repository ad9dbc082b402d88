#include "actors/node_tls_errors.hpp"

#include <initializer_list>

#include <openssl/bio.h>
#include <openssl/err.h>

namespace logbase {

namespace {

/// Before the operation (no BIO_CB_RETURN bit), anything in the queue came
/// from an earlier operation: this one has not begun. After a failure of
/// its own, an established link is closed whether its errors are there or
/// not (SSL_ERROR_SSL and SSL_ERROR_SYSCALL both end it in CAF).
long before_socket_io(BIO*, int oper, const char*, size_t, int, long, int ret,
                      size_t*) {
  if (oper == BIO_CB_READ || oper == BIO_CB_WRITE)
    ERR_clear_error();
  return ret;
}

} // namespace

void clear_stale_errors_on(SSL* link) {
  // Only once the handshake went through: a failing handshake's errors
  // stay where CAF, and the refusal audit, look for them.
  for (auto* bio : {SSL_get_rbio(link), SSL_get_wbio(link)})
    if (bio != nullptr)
      BIO_set_callback_ex(bio, before_socket_io);
}

} // namespace logbase
