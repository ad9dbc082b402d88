#include "actors/node_tls_audit.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "src/log.hpp"
#include "src/metrics.hpp"
#include "actors/node_tls_errors.hpp"

// CAF makes an SSL_CTX per link and keeps it to itself. OpenSSL calls an
// ex_data "new" function for every SSL_CTX it makes: that attaches an info
// callback, which sees the handshake start, its alerts and its failure.

namespace logbase {

namespace {

/// CAF's contexts with certificates: peer verified, a certificate required,
/// OpenSSL's own verification (no callback). Kafka's clients differ.
bool is_node_link(const SSL* ssl) {
  return SSL_get_verify_mode(ssl)
           == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
         && SSL_get_verify_callback(ssl) == nullptr;
}

/// `host:port`, and the host alone.
using peer = std::pair<std::string, std::string>;

peer address_of(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                  != 0)
    return {"an unknown address", "?"};
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return {std::string{host} + ":" + std::to_string(port), host};
}

/// What is noted of each link: its other end, as its handshake starts
/// (once that end has hung up, the socket no longer says), and whether the
/// handshake went through (a link that breaks later was not refused).
struct note {
  peer other_end;
  bool through = false;
};

int note_slot = -1;

void forget(void*, void* noted, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<note*>(noted);
}

note* note_of(const SSL* ssl) {
  return static_cast<note*>(SSL_get_ex_data(ssl, note_slot));
}

void take_note(const SSL* ssl) {
  if (note_of(ssl) == nullptr)
    SSL_set_ex_data(const_cast<SSL*>(ssl), note_slot,
                    new note{address_of(SSL_get_fd(ssl))});
}

peer peer_of(const SSL* ssl) {
  if (auto* noted = note_of(ssl))
    return noted->other_end;
  return address_of(SSL_get_fd(ssl));
}

bool worth_a_line(const std::string& key) {
  using clock = std::chrono::steady_clock;
  static std::mutex mtx;
  static std::map<std::string, clock::time_point> last;
  std::lock_guard<std::mutex> guard{mtx};
  auto now = clock::now();
  if (last.size() > 10'000)
    last.clear();
  auto [i, fresh] = last.emplace(key, now);
  if (!fresh && now - i->second < std::chrono::minutes(1))
    return false;
  i->second = now;
  return true;
}

std::string alert_text(int alert) {
  auto code = alert & 0xff;
  if (code == 116) // TLS 1.3's, unnamed in OpenSSL 3.0
    return "certificate required";
  std::string text = SSL_alert_desc_string_long(alert);
  return text == "unknown" ? "alert " + std::to_string(code) : text;
}

/// Alerts that say the other end refused this node's certificate (or that
/// it had none); in TLS 1.3 the dialler hears them after its handshake.
bool about_certificates(int alert) {
  switch (alert & 0xff) {
    case 40: case 42: case 43: case 44: case 45: case 46: case 48: case 49:
    case 116:
      return true;
    default:
      return false;
  }
}

/// This node refused a link: counted, and said.
void refused(const SSL* ssl, const std::string& why) {
  global_metrics().node_links_refused.Increment();
  auto [address, host] = peer_of(ssl);
  bool inbound = SSL_is_server(ssl) == 1;
  if (worth_a_line((inbound ? "from " : "to ") + host))
    log(log_level::warn, "node_tls", "refused the node link ",
        inbound ? "from " : "to ", address, " (", why, ")");
}

/// The handshake this thread last reported: its failure is said once.
thread_local const SSL* reported = nullptr;

void on_link_event(const SSL* ssl, int where, int value) {
  if (!is_node_link(ssl))
    return;
  if ((where & SSL_CB_HANDSHAKE_START) != 0)
    take_note(ssl);
  if ((where & SSL_CB_HANDSHAKE_DONE) != 0) {
    if (note_of(ssl) != nullptr)
      note_of(ssl)->through = true;
    clear_stale_errors_on(const_cast<SSL*>(ssl));
  }
  bool handshaking = note_of(ssl) == nullptr || !note_of(ssl)->through;
  if ((where & SSL_CB_ALERT) != 0) {
    if ((value >> 8) != SSL3_AL_FATAL)
      return; // close_notify: a link ending
    reported = ssl;
    if ((where & SSL_CB_WRITE) != 0 && handshaking) {
      // The peer's certificate failed, or it sent none.
      auto why = alert_text(value);
      if (auto verdict = SSL_get_verify_result(ssl); verdict != X509_V_OK)
        why += std::string{": "} + X509_verify_cert_error_string(verdict);
      refused(ssl, why + "; no certificate signed by node-tls-ca");
    } else if ((where & SSL_CB_READ) != 0 && about_certificates(value)
               && worth_a_line("by " + peer_of(ssl).second)) {
      log(log_level::warn, "node_tls", "the node link ",
          SSL_is_server(ssl) == 1 ? "from " : "to ", peer_of(ssl).first,
          " was refused by the other end (", alert_text(value),
          "): is this node's certificate signed by the CA it trusts?");
    }
  } else if ((where & SSL_CB_EXIT) != 0 && value <= 0 && handshaking
             && ssl != reported) {
    // OpenSSL empties this thread's error queue as a handshake step starts:
    // an error now (not a wait for the socket) means the step failed
    // without an alert. The other end speaks no TLS (a plain link) or hung
    // up. Peeked at, not taken: CAF reads the queue after this.
    auto err = ERR_peek_error();
    if (err == 0)
      return;
    reported = ssl;
    auto reason = ERR_reason_error_string(err);
    refused(ssl, std::string{"no TLS handshake: "}
                   + (reason != nullptr ? reason : "connection closed"));
  }
}

void on_new_context(void* parent, void*, CRYPTO_EX_DATA*, int, long, void*) {
  SSL_CTX_set_info_callback(static_cast<SSL_CTX*>(parent), on_link_event);
}

} // namespace

void watch_node_link_refusals() {
  static std::once_flag once;
  std::call_once(once, [] {
    note_slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, forget);
    if (note_slot < 0
        || SSL_CTX_get_ex_new_index(0, nullptr, on_new_context, nullptr,
                                    nullptr)
             < 0)
      log(log_level::warn, "node_tls",
          "cannot watch TLS handshakes: refused node links go unsaid");
  });
}

} // namespace logbase
