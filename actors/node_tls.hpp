#pragma once

/// Node links over mutual TLS, with CAF's OpenSSL module. Every node holds a
/// certificate and key signed by one CA (config `node-tls-ca`,
/// `node-tls-cert`, `node-tls-key`); a link comes up only when each end
/// presents a certificate that CA signed, whichever end dialled. Any
/// certificate the CA signed is accepted: names are not checked, so the CA
/// must sign nothing but this cluster's nodes. Without the settings, links
/// are plain TCP: one host only.

#include <string>

#include <caf/fwd.hpp>

#include "src/config.hpp"

namespace logbase {

/// Where CAF reads the node's TLS files from: copies in memory.
struct node_tls_files {
  std::string ca;
  std::string cert;
  std::string key;
};

/// Reads the three files once and checks them as a peer would: the key
/// unencrypted and matching the certificate, the certificate signed by the
/// CA, valid now and fit for both ends of a link. CAF reads its files again
/// for every link, and one it cannot read then ends the process (or stops
/// all dialling): so it reads these copies, made at start. Throws
/// std::invalid_argument with a message naming the setting.
node_tls_files load_node_tls(const config& cfg);

/// Loads CAF's OpenSSL module (after the middleman) with the files, and
/// has refused links logged and counted (node_tls_audit.hpp).
void use_node_tls(caf::actor_system_config& sys_cfg,
                  const node_tls_files& files);

} // namespace logbase
