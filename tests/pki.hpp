#pragma once

// Certificates for node links over mutual TLS, made with the openssl
// commands the README gives, valid for a day, in a folder removed after.

#include <string>
#include <vector>

namespace logbase::test {

/// A throw-away CA, node certificates it signs, and self-signed ones.
class pki {
public:
  pki();
  ~pki();

  pki(const pki&) = delete;
  pki& operator=(const pki&) = delete;

  /// A file in the folder (certificates, keys, node logs).
  std::string path(const std::string& name) const;

  /// `name.key` and `name.pem`, signed by the CA; with `alt_names`
  /// (openssl's subjectAltName, e.g. "IP:127.0.0.1,DNS:localhost") for a
  /// server that clients check by its address.
  void node(const std::string& name, const std::string& alt_names = {});

  /// `name.key` and `name.pem`, self-signed: no CA vouches for it.
  void rogue(const std::string& name);

  /// Concatenates PEM files (a trust list of several CAs).
  void bundle(const std::string& out, const std::vector<std::string>& in);

  /// A node's flags: its certificate and key, and the CA it trusts.
  std::vector<std::string> flags(const std::string& name,
                                 const std::string& ca = "ca.pem") const;

private:
  void run(const std::string& command);

  std::string dir_;
};

} // namespace logbase::test
