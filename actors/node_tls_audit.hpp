#pragma once

/// Says which node links this node refused in the TLS handshake, and why:
/// CAF's OpenSSL module refuses them silently (and Debian's CAF logs
/// nothing). Counted in `logbase_node_links_refused_total`; one line per
/// host and direction a minute, as a refused peer retries every second.

namespace logbase {

/// From now on, every OpenSSL context made for a node link reports its
/// refusals. Call once, before the actor system starts.
void watch_node_link_refusals();

} // namespace logbase
