#include "actors/node_tls.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "src/log.hpp"
#include "actors/node_tls_audit.hpp"

namespace logbase {

namespace {

std::string ssl_errors() {
  std::string out;
  while (auto e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += out.empty() ? "" : "; ";
    out += buf;
  }
  return out.empty() ? "no detail" : out;
}

[[noreturn]] void refuse(const std::string& key, const std::string& path,
                         const std::string& why) {
  ERR_clear_error();
  throw std::invalid_argument("config '" + key + "' (" + path + "): " + why);
}

/// The file's bytes in an anonymous memory file for the process's life;
/// its path under /proc/self/fd. Without memfd, the file's own path.
std::string copy_in_memory(const std::string& key, const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    refuse(key, path, "cannot read the file");
  std::string bytes{std::istreambuf_iterator<char>{in}, {}};
  int fd = ::memfd_create(("logbase-" + key).c_str(), MFD_CLOEXEC);
  size_t written = 0;
  while (fd >= 0 && written < bytes.size()) {
    auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0)
      break;
    written += static_cast<size_t>(n);
  }
  if (fd < 0 || written < bytes.size()) {
    if (fd >= 0)
      ::close(fd);
    log(log_level::warn, "node_tls", "cannot copy ", path,
        " into memory; CAF reads the file itself for every link");
    return path;
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

// CAF would ask for a passphrase on the terminal, from its I/O thread.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

/// Verifies the node's certificate against the CA for one end of a link
/// ("ssl_server" or "ssl_client"), as OpenSSL does in the handshake.
int verify_as(SSL_CTX* ctx, const char* purpose) {
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check{
    X509_STORE_CTX_new(), X509_STORE_CTX_free};
  if (!check
      || X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(ctx),
                             SSL_CTX_get0_certificate(ctx), chain)
           != 1
      || X509_STORE_CTX_set_default(check.get(), purpose) != 1)
    return X509_V_ERR_OUT_OF_MEM;
  return X509_verify_cert(check.get()) == 1
           ? X509_V_OK
           : X509_STORE_CTX_get_error(check.get());
}

/// Loads the copies as CAF does, with the settings' paths in messages.
void check(const config& cfg, const node_tls_files& files) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{
    SSL_CTX_new(TLS_method()), SSL_CTX_free};
  if (!ctx)
    throw std::invalid_argument("cannot make a TLS context: " + ssl_errors());
  SSL_CTX_set_default_passwd_cb(ctx.get(), no_passphrase);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert.c_str()) != 1)
    refuse("node-tls-cert", cfg.node_tls_cert,
           "not a PEM certificate (" + ssl_errors() + ")");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(),
                                  SSL_FILETYPE_PEM)
        != 1
      || SSL_CTX_check_private_key(ctx.get()) != 1)
    refuse("node-tls-key", cfg.node_tls_key,
           "not the unencrypted PEM key of node-tls-cert (" + ssl_errors()
             + ")");
  if (SSL_CTX_load_verify_locations(ctx.get(), files.ca.c_str(), nullptr)
      != 1)
    refuse("node-tls-ca", cfg.node_tls_ca,
           "no PEM CA certificate (" + ssl_errors() + ")");
  // Each node dials and is dialled: its certificate serves both ends.
  for (std::string purpose : {"ssl_server", "ssl_client"})
    if (auto verdict = verify_as(ctx.get(), purpose.c_str());
        verdict != X509_V_OK)
      refuse("node-tls-cert", cfg.node_tls_cert,
             "not accepted by node-tls-ca as the "
               + std::string{purpose == "ssl_server" ? "server" : "client"}
               + " end of a link: " + X509_verify_cert_error_string(verdict));
}

} // namespace

node_tls_files load_node_tls(const config& cfg) {
  node_tls_files files{copy_in_memory("node-tls-ca", cfg.node_tls_ca),
                       copy_in_memory("node-tls-cert", cfg.node_tls_cert),
                       copy_in_memory("node-tls-key", cfg.node_tls_key)};
  check(cfg, files);
  return files;
}

void use_node_tls(caf::actor_system_config& sys_cfg,
                  const node_tls_files& files) {
  sys_cfg.load<caf::openssl::manager>();
  sys_cfg.openssl_cafile = files.ca;
  sys_cfg.openssl_certificate = files.cert;
  sys_cfg.openssl_key = files.key;
  watch_node_link_refusals();
}

} // namespace logbase
