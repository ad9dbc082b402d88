#pragma once

/// The one configuration of a node. Sources, later ones winning: defaults, a
/// config file (`--config=FILE`, `key = value` lines), `LOGBASE_*`
/// environment variables, command-line flags `--key=value`.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/cluster.hpp"
#include "src/topics.hpp"

namespace logbase {

struct config {
  std::string http_host = "127.0.0.1";
  uint16_t http_port = 8080;
  std::string bootstrap_servers = "127.0.0.1:9092";
  std::string app_id = "logbase";
  std::string accounts_topic{default_name(topic::accounts)};
  std::string events_topic{default_name(topic::events)};
  std::string stats_store{default_name(store::daily_stats_windowed)};
  int32_t accounts_partitions = 10;
  int32_t events_partitions = 4;
  int64_t events_retention_ms = 30LL * 24 * 3600 * 1000;
  /// How long a write may wait to become durable before it gets 503.
  int64_t write_timeout_ms = 10'000;
  /// How long an event POST's Idempotency-Key is remembered after its
  /// last write.
  int64_t idempotency_window_seconds = 86'400;
  /// How often the statistics aggregator commits its changelog transaction.
  /// Each transaction costs the broker several requests and marker writes:
  /// at 100 ms they took about a quarter of its CPU under batch ingest, and
  /// 500 ms ingests 17-20 % faster. Nothing waits for a commit (a POST is
  /// answered once counted); a crash or takeover recounts at most this much.
  int64_t stats_commit_interval_ms = 500;
  /// Server-assigned ids are claimed in blocks of this many.
  int64_t id_block_size = 1000;
  /// HTTP worker threads kept ready; more start on demand (each open
  /// connection holds one while it is served or open), up to the maximum.
  int http_threads = 32;
  int http_max_threads = 4096;
  /// Idle keep-alive connections are closed after this long.
  int http_keep_alive_seconds = 5;
  /// CAF worker threads for the actors (librdkafka and HTTP have their own).
  int actor_threads = 1;
  /// Requests being answered at once; beyond it, 503 overloaded.
  int max_inflight = 2048;
  /// Event streams open at once; beyond it, 503 too_many_streams.
  int max_streams = 2000;
  /// librdkafka settings passed through (`kafka.sasl.username=…`).
  std::map<std::string, std::string> kafka;
  /// This node's name among its peers: its member record, its id-block
  /// claims, its transactional and group instance ids. Empty: the host's
  /// name and the HTTP port (stable across restarts).
  std::string node_name;
  /// `host:port` where this node listens for its peers (CAF remote actors),
  /// the address the others dial; empty: it takes no peers (and serves only
  /// the partitions the group gives it).
  std::string node_address;
  /// The consumer group's session timeout: how long a node may be silent
  /// before its partitions go to the others.
  int64_t session_timeout_ms = 6000;
  /// How many other nodes follow each partition's `events` and changelog
  /// (a warm copy of its index and counts), so that whichever of them takes
  /// it over serves it without a restore.
  int32_t standby_replicas = 0;
  /// Mutual TLS on node links: the CA that signs every node's certificate,
  /// and this node's certificate and key (PEM files). All three or none;
  /// none: plain TCP links, for nodes on one host only.
  std::string node_tls_ca;
  std::string node_tls_cert;
  std::string node_tls_key;

  /// Bearer tokens and their roles (SHA-256 hashes, see src/access.hpp);
  /// empty: the API is open to anyone who reaches the port.
  std::string auth_tokens_file;
  /// Serve without tokens on an address other than loopback.
  bool allow_open = false;
  /// Browser origins that may call the API (`*`: any); empty: none.
  std::string cors_origins;
  /// HTTPS: this server's certificate (chain) and key, PEM; both or none.
  std::string tls_cert;
  std::string tls_key;
  /// Requests per second each client (token, or address when open) may
  /// make, with a burst of as many; 0: no limit.
  double rate_limit = 0;
  /// A request (its TLS handshake, head and body) must arrive whole within
  /// this long, however slowly its bytes trickle in.
  int64_t http_request_timeout_ms = 30'000;
  /// Log lines below this level are dropped; text, or json for shippers.
  /// Setting them takes effect at once (log.hpp), so that even the lines
  /// about the rest of the config obey them.
  std::string log_level = "info";
  std::string log_format = "text";

  /// Whether the HTTP port speaks HTTPS.
  bool tls() const {
    return !tls_cert.empty();
  }

  /// Whether node links use mutual TLS.
  bool node_tls() const {
    return !node_tls_ca.empty();
  }

  /// Whether this node links with peers (it has a `node-address`).
  bool linked() const {
    return !node_address.empty();
  }

  /// `node_name`, or its default.
  std::string name_of_node() const;

  std::string topic_name(topic t) const;
};

/// Reads flags, environment and config file; throws std::invalid_argument
/// with a message for the user on anything it does not understand.
config load_config(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& environment);

/// Applies a config file's text: `key = value` lines, blank lines and
/// comments (`#`, `;`); throws std::invalid_argument naming `source` and the
/// line, as load_config.
void apply_config_text(config& cfg, std::string_view text,
                       const std::string& source);

/// Sets one key (`http-port`, `kafka.linger.ms`, …) from its text.
void set_config_value(config& cfg, const std::string& key,
                      const std::string& value);

/// `--help` text.
std::string config_help();

} // namespace logbase
