#pragma once

/// Keeps one refused node link from dropping the others. CAF's OpenSSL
/// module asks SSL_get_error why a read or write stopped without first
/// emptying the thread's OpenSSL error queue, which OpenSSL requires. All
/// links share CAF's one I/O thread: a handshake that failed there (a peer
/// refused for its certificate) leaves its errors in the queue, and the
/// next healthy link that finds no data waiting reads them as its own and
/// is closed (seen with three nodes on three hosts: an intruder's refused
/// dial dropped the link between two nodes, and requests crossing it got
/// 503 `timeout`).

#include <openssl/ssl.h>

namespace logbase {

/// From now on, every socket read and write of this link (one that went
/// through its handshake) starts with an empty error queue, so that the
/// errors CAF looks at are this link's own.
void clear_stale_errors_on(SSL* link);

} // namespace logbase
