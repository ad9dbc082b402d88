#include "config.hpp"

#include "access.hpp"
#include "cluster.hpp"
#include "log.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace logbase {

std::string config::topic_name(topic t) const {
  switch (t) {
    case topic::accounts:
      return accounts_topic;
    case topic::events:
      return events_topic;
    case topic::id_blocks:
      // The id space belongs to the accounts topic, not to an app id.
      return accounts_topic + ".id-blocks";
    case topic::stats_changelog:
      return app_id + "-" + stats_store + "-changelog";
    case topic::members:
      return app_id + ".members";
  }
  return {};
}

std::string config::name_of_node() const {
  if (!node_name.empty())
    return node_name;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof(host), "node");
  return std::string{host} + "-" + std::to_string(http_port);
}

namespace {

template <class T>
T number(const std::string& key, const std::string& text, T min, T max) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min
      || value > max)
    throw std::invalid_argument("config '" + key + "': '" + text
                                + "' is not a number from "
                                + std::to_string(min) + " to "
                                + std::to_string(max));
  return value;
}

bool boolean(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes")
    return true;
  if (text == "false" || text == "0" || text == "no")
    return false;
  throw std::invalid_argument("config '" + key + "': '" + text
                              + "' is not true or false");
}

std::string trim(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos)
    return {};
  auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

void load_file(config& cfg, const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::invalid_argument("cannot read config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  apply_config_text(cfg, text.str(), path);
}

// LOGBASE_HTTP_PORT → http-port; LOGBASE_KAFKA_SASL_USERNAME →
// kafka.sasl.username (librdkafka's names use dots, never underscores).
std::string key_of_env(const std::string& name) {
  std::string rest = name.substr(8);
  std::string key;
  bool kafka = rest.rfind("KAFKA_", 0) == 0;
  for (char c : rest) {
    if (c == '_')
      key += kafka ? '.' : '-';
    else
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

} // namespace

void apply_config_text(config& cfg, std::string_view text,
                       const std::string& source) {
  std::istringstream in{std::string{text}};
  std::string line;
  int number_of_line = 0;
  while (std::getline(in, line)) {
    ++number_of_line;
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      continue;
    auto eq = line.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(source + ":" + std::to_string(number_of_line)
                                  + ": expected key = value");
    set_config_value(cfg, trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
}

void set_config_value(config& cfg, const std::string& key,
                      const std::string& value) {
  if (key.rfind("kafka.", 0) == 0) {
    cfg.kafka[key.substr(6)] = value;
  } else if (key == "http-host") {
    cfg.http_host = value;
  } else if (key == "http-port") {
    cfg.http_port = number<uint16_t>(key, value, 0, 65535);
  } else if (key == "bootstrap-servers") {
    cfg.bootstrap_servers = value;
  } else if (key == "app-id") {
    if (value.empty())
      throw std::invalid_argument("config 'app-id' must not be empty");
    cfg.app_id = value;
  } else if (key == "accounts-topic") {
    cfg.accounts_topic = value;
  } else if (key == "events-topic") {
    cfg.events_topic = value;
  } else if (key == "stats-store") {
    cfg.stats_store = value;
  } else if (key == "accounts-partitions") {
    cfg.accounts_partitions = number<int32_t>(key, value, 1, 10000);
  } else if (key == "events-partitions") {
    cfg.events_partitions = number<int32_t>(key, value, 1, 10000);
  } else if (key == "events-retention-ms") {
    cfg.events_retention_ms = number<int64_t>(key, value, 1000, INT64_MAX / 1'000'000);
  } else if (key == "write-timeout-ms") {
    cfg.write_timeout_ms = number<int64_t>(key, value, 100, 600'000);
  } else if (key == "idempotency-window-seconds") {
    cfg.idempotency_window_seconds = number<int64_t>(key, value, 1,
                                                     366LL * 86'400);
  } else if (key == "stats-commit-interval-ms") {
    cfg.stats_commit_interval_ms = number<int64_t>(key, value, 1, 60'000);
  } else if (key == "id-block-size") {
    cfg.id_block_size = number<int64_t>(key, value, 1, 1'000'000'000);
  } else if (key == "http-threads") {
    cfg.http_threads = number<int>(key, value, 1, 65536);
  } else if (key == "http-max-threads") {
    cfg.http_max_threads = number<int>(key, value, 2, 65536);
  } else if (key == "http-keep-alive-seconds") {
    cfg.http_keep_alive_seconds = number<int>(key, value, 1, 3600);
  } else if (key == "actor-threads") {
    cfg.actor_threads = number<int>(key, value, 1, 64);
  } else if (key == "max-inflight") {
    cfg.max_inflight = number<int>(key, value, 1, 1'000'000);
  } else if (key == "max-streams") {
    cfg.max_streams = number<int>(key, value, 0, 1'000'000);
  } else if (key == "log-level") {
    if (!set_min_log_level(value))
      throw std::invalid_argument("config 'log-level' must be debug, info, "
                                  "warn or error");
  } else if (key == "log-format") {
    if (!set_log_format(value))
      throw std::invalid_argument("config 'log-format' must be text or json");
  } else if (key == "node-name") {
    cfg.node_name = value;
  } else if (key == "nodes" || key == "node-index") {
    throw std::invalid_argument(
      "config '" + key + "' is gone: nodes now share the partitions through "
      "Kafka's consumer group; give each node only --node-address=HOST:PORT "
      "(where its peers reach it) and, if you like, --node-name");
  } else if (key == "node-address") {
    parse_node_address(value); // refuse a bad address at start
    cfg.node_address = value;
  } else if (key == "session-timeout-ms") {
    cfg.session_timeout_ms = number<int64_t>(key, value, 1000, 3'600'000);
  } else if (key == "standby-replicas") {
    cfg.standby_replicas = number<int32_t>(key, value, 0, 16);
  } else if (key == "node-tls-ca") {
    cfg.node_tls_ca = value;
  } else if (key == "node-tls-cert") {
    cfg.node_tls_cert = value;
  } else if (key == "node-tls-key") {
    cfg.node_tls_key = value;
  } else if (key == "auth-tokens-file") {
    cfg.auth_tokens_file = value;
  } else if (key == "allow-open") {
    cfg.allow_open = boolean(key, value);
  } else if (key == "cors-origins") {
    cors_policy::parse(value); // refuse a bad origin at start
    cfg.cors_origins = value;
  } else if (key == "tls-cert") {
    cfg.tls_cert = value;
  } else if (key == "tls-key") {
    cfg.tls_key = value;
  } else if (key == "rate-limit") {
    cfg.rate_limit = number<int>(key, value, 0, 1'000'000);
  } else if (key == "http-request-timeout-ms") {
    cfg.http_request_timeout_ms = number<int64_t>(key, value, 100, 3'600'000);
  } else {
    throw std::invalid_argument("unknown config key '" + key
                                + "' (see --help)");
  }
}

config load_config(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& environment) {
  config cfg;
  // The config file first, so that environment and flags override it.
  std::string file;
  if (auto i = environment.find("LOGBASE_CONFIG"); i != environment.end())
    file = i->second;
  for (auto& arg : args)
    if (arg.rfind("--config=", 0) == 0)
      file = arg.substr(9);
  if (!file.empty())
    load_file(cfg, file);
  for (auto& [name, value] : environment)
    if (name.rfind("LOGBASE_", 0) == 0 && name != "LOGBASE_CONFIG")
      set_config_value(cfg, key_of_env(name), value);
  for (auto& arg : args) {
    if (arg.rfind("--config=", 0) == 0)
      continue;
    if (arg == "--allow-open") {
      cfg.allow_open = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.find('=') == std::string::npos)
      throw std::invalid_argument("expected --key=value, got '" + arg + "'");
    auto eq = arg.find('=');
    set_config_value(cfg, arg.substr(2, eq - 2), arg.substr(eq + 1));
  }
  if (cfg.http_max_threads < cfg.http_threads)
    throw std::invalid_argument("config 'http-max-threads' must be at least "
                                "'http-threads'");
  // Half a TLS setup would silently mean plain links: refuse it.
  auto tls_set = !cfg.node_tls_ca.empty() + !cfg.node_tls_cert.empty()
                 + !cfg.node_tls_key.empty();
  if (tls_set != 0 && tls_set != 3)
    throw std::invalid_argument("config 'node-tls-ca', 'node-tls-cert' and "
                                "'node-tls-key' go together: all three "
                                "(mutual TLS between nodes) or none (plain "
                                "links, one host only)");
  if (cfg.tls_cert.empty() != cfg.tls_key.empty())
    throw std::invalid_argument("config 'tls-cert' and 'tls-key' go "
                                "together: both (HTTPS) or neither (HTTP)");
  if (cfg.auth_tokens_file.empty() && !cfg.allow_open
      && !is_loopback(cfg.http_host))
    throw std::invalid_argument(
      "refusing to serve on " + cfg.http_host + " without "
      "--auth-tokens-file: anyone who reaches it could read, change and "
      "delete every account; give a tokens file (logbase token makes "
      "tokens), or --allow-open if an open API is what you want");
  return cfg;
}

std::string config_help() {
  return R"(usage: logbase [--key=value ...]
       logbase token read|write|admin|metrics [comment]
                            makes a token, and its line for auth-tokens-file

Keys (also LOGBASE_KEY_NAME in the environment, or key = value lines in the
file named by --config=FILE / LOGBASE_CONFIG; flags win over environment,
environment over the file):
  http-host                 address to serve HTTP on (127.0.0.1: this host
                            only; the host's own address, or 0.0.0.0, for
                            clients elsewhere)
  http-port                 HTTP port (8080)
  bootstrap-servers         Kafka brokers, HOST:PORT[,...] (127.0.0.1:9092)
  app-id                    application id, prefixes the changelog (logbase)
  accounts-topic            accounts topic (accounts)
  events-topic              events topic (events)
  stats-store               statistics store name (daily_stats_windowed)
  accounts-partitions       partitions when creating accounts (10)
  events-partitions         partitions when creating events (4)
  events-retention-ms       event retention (2592000000 = 30 days)
  write-timeout-ms          a write not durable by then gets 503 (10000)
  idempotency-window-seconds
                            how long an event POST's Idempotency-Key holds
                            after its last write (86400 = 24 h)
  stats-commit-interval-ms  statistics changelog commit interval (100)
  id-block-size             ids claimed per block (1000)
  http-threads              HTTP worker threads kept ready (32)
  http-max-threads          most HTTP worker threads; each open connection or
                            stream holds one while open (4096)
  http-keep-alive-seconds   idle keep-alive connections close after (5)
  actor-threads             threads running the actors (1)
  max-inflight              requests answered at once; beyond, 503 (2048)
  max-streams               event streams open at once; beyond, 503 (2000)
  node-name                 this node's name, unique per app id and stable
                            across restarts (the host's name-the HTTP port)
  node-address              HOST:PORT where this node listens for its peers,
                            an address of its own host that they reach (none:
                            it takes no peers; alone, it owns everything)
  session-timeout-ms        how long a silent node keeps its partitions before
                            the others take them over (6000)
  standby-replicas          how many other nodes keep a warm copy of each
                            partition's index and counts, so that a takeover
                            needs no restore (0)
  node-tls-ca               PEM file of the CA that signs every node's
                            certificate; with node-tls-cert and node-tls-key,
                            node links use mutual TLS (none: plain links, for
                            one host only)
  node-tls-cert             PEM file of this node's certificate (signed by
                            node-tls-ca; the chain may follow it)
  node-tls-key              PEM file of this node's private key (unencrypted;
                            protect it by file permissions)
  auth-tokens-file          bearer tokens and their roles, a line each:
                            <sha256 hex of the token> <read|write|admin|
                            metrics> [comment]; re-read on SIGHUP (none: the
                            API is open to whoever reaches the port)
  allow-open                serve without tokens on an address other than
                            loopback (false; a bare --allow-open is true)
  cors-origins              browser origins that may call the API,
                            https://a.example,https://b.example, or * (none)
  tls-cert                  PEM certificate (chain) for HTTPS; with tls-key
                            the HTTP port speaks only HTTPS (none: HTTP)
  tls-key                   PEM private key of tls-cert (unencrypted)
  rate-limit                requests per second per token (per address when
                            open), bursts of as many; beyond, 429 (0: none)
  http-request-timeout-ms   a request must arrive whole (TLS handshake, head,
                            body) within this long, or the connection is cut
                            (30000)
  log-level                 debug, info, warn or error (info)
  log-format                text, or json: one object a line with time,
                            level, component, message, request_id (text)
  kafka.<property>          passed to librdkafka, e.g. kafka.security.protocol
                            (env: LOGBASE_KAFKA_SECURITY_PROTOCOL)
)";
}

} // namespace logbase
