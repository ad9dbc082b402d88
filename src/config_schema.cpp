#include "src/config_schema.hpp"

#include <charconv>
#include <stdexcept>

#include "src/access.hpp"
#include "src/log.hpp"

namespace logbase {

namespace {

[[noreturn]] void refuse(std::string_view key, const std::string& why) {
  throw std::invalid_argument("config '" + std::string{key} + "' " + why);
}

template <class T>
T number(std::string_view key, const std::string& text, T min, T max) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min
      || value > max)
    refuse(key, ": '" + text + "' is not a number from " + std::to_string(min)
                  + " to " + std::to_string(max));
  return value;
}

template <class T>
config_key whole(std::string_view name, T config::*field, T min, T max,
                 std::string_view help) {
  return {name, help, std::to_string(min) + " to " + std::to_string(max),
          [=](config& c, const std::string& v) {
            c.*field = number<T>(name, v, min, max);
          },
          [=](const config& c) { return std::to_string(c.*field); }};
}

/// A text key; `check` refuses a bad value at start (throws).
config_key text(std::string_view name, std::string config::*field,
                std::string_view help,
                std::function<void(const std::string&)> check = {}) {
  return {name, help, "",
          [=](config& c, const std::string& v) {
            if (check)
              check(v);
            c.*field = v;
          },
          [=](const config& c) { return c.*field; }};
}

config_key yes_no(std::string_view name, bool config::*field,
                  std::string_view help) {
  return {name, help, "true or false",
          [=](config& c, const std::string& v) {
            if (v == "true" || v == "1" || v == "yes")
              c.*field = true;
            else if (v == "false" || v == "0" || v == "no")
              c.*field = false;
            else
              refuse(name, ": '" + v + "' is not true or false");
          },
          [=](const config& c) { return std::string{c.*field ? "true"
                                                             : "false"}; }};
}

/// One of a few words; `apply` also sets it where it takes effect.
config_key choice(std::string_view name, std::string config::*field,
                  std::string_view words, bool (*apply)(std::string_view),
                  std::string_view help) {
  return {name, help, std::string{words},
          [=](config& c, const std::string& v) {
            if (!apply(v))
              refuse(name, "must be one of " + std::string{words});
            c.*field = v;
          },
          [=](const config& c) { return c.*field; }};
}

std::vector<config_key> make_table() {
  using c = config;
  std::vector<config_key> t;
  t.push_back(text("http-host", &c::http_host,
    "address to serve HTTP on (127.0.0.1: this host only; the host's own "
    "address, or 0.0.0.0, for clients elsewhere)"));
  t.push_back(whole<uint16_t>("http-port", &c::http_port, 0, 65535,
                              "HTTP port"));
  t.push_back(text("bootstrap-servers", &c::bootstrap_servers,
                   "Kafka brokers, HOST:PORT[,...]"));
  t.push_back(text("app-id", &c::app_id,
    "application id: names the changelog, the members topic and the "
    "consumer group", [](const std::string& v) {
      if (v.empty())
        refuse("app-id", "must not be empty");
    }));
  t.push_back(text("accounts-topic", &c::accounts_topic, "accounts topic"));
  t.push_back(text("events-topic", &c::events_topic, "events topic"));
  t.push_back(text("stats-store", &c::stats_store,
    "statistics store name: the changelog is "
    "<app-id>-<stats-store>-changelog"));
  t.push_back(whole<int32_t>("accounts-partitions", &c::accounts_partitions,
    1, 10000, "partitions when creating the accounts topic"));
  t.push_back(whole<int32_t>("events-partitions", &c::events_partitions, 1,
    10000, "partitions when creating the events topic"));
  t.push_back(whole<int64_t>("events-retention-ms", &c::events_retention_ms,
    1000, INT64_MAX / 1'000'000,
    "event retention (30 days); must match the events topic's"));
  t.push_back(whole<int64_t>("write-timeout-ms", &c::write_timeout_ms, 100,
    600'000, "a write not durable by then gets 503"));
  t.push_back(whole<int64_t>("idempotency-window-seconds",
    &c::idempotency_window_seconds, 1, 366LL * 86'400,
    "how long an event POST's Idempotency-Key holds after its last write "
    "(24 h)"));
  t.push_back(whole<int64_t>("stats-commit-interval-ms",
    &c::stats_commit_interval_ms, 1, 60'000,
    "statistics changelog commit interval"));
  t.push_back(whole<int64_t>("id-block-size", &c::id_block_size, 1,
    1'000'000'000, "server-assigned ids claimed per block"));
  t.push_back(whole<int>("http-threads", &c::http_threads, 1, 65536,
    "HTTP worker threads kept ready; more start on demand"));
  t.push_back(whole<int>("http-max-threads", &c::http_max_threads, 2, 65536,
    "most HTTP worker threads; each open connection or stream holds one "
    "while open"));
  t.push_back(whole<int>("http-keep-alive-seconds",
    &c::http_keep_alive_seconds, 1, 3600,
    "idle keep-alive connections close after this long"));
  t.push_back(whole<int>("actor-threads", &c::actor_threads, 1, 64,
    "threads running the actors (librdkafka and HTTP have their own)"));
  t.push_back(whole<int>("max-inflight", &c::max_inflight, 1, 1'000'000,
    "requests answered at once; beyond, 503 overloaded"));
  t.push_back(whole<int>("max-streams", &c::max_streams, 0, 1'000'000,
    "event streams open at once; beyond, 503 too_many_streams"));
  t.push_back(text("node-name", &c::node_name,
    "this node's name, unique per app id and stable across restarts "
    "(none: the host's name-the HTTP port)"));
  t.push_back(text("node-address", &c::node_address,
    "HOST:PORT where this node listens for its peers, an address of its own "
    "host that they reach (none: it takes no peers)",
    [](const std::string& v) { parse_node_address(v); }));
  t.push_back(whole<int64_t>("session-timeout-ms", &c::session_timeout_ms,
    1000, 3'600'000,
    "how long a silent node keeps its partitions before the others take "
    "them over"));
  t.push_back(whole<int32_t>("standby-replicas", &c::standby_replicas, 0, 16,
    "how many other nodes keep a warm copy of each partition's index and "
    "counts, so that a takeover needs no restore"));
  t.push_back(text("node-tls-ca", &c::node_tls_ca,
    "PEM file of the CA that signs every node's certificate; with "
    "node-tls-cert and node-tls-key, node links use mutual TLS (none: plain "
    "links, for one host only)"));
  t.push_back(text("node-tls-cert", &c::node_tls_cert,
    "PEM file of this node's certificate (signed by node-tls-ca; the chain "
    "may follow it)"));
  t.push_back(text("node-tls-key", &c::node_tls_key,
    "PEM file of this node's private key (unencrypted; protect it by file "
    "permissions)"));
  t.push_back(text("auth-tokens-file", &c::auth_tokens_file,
    "bearer tokens and their roles, a line each: <sha256 hex of the token> "
    "<read|write|admin|metrics> [comment]; re-read on SIGHUP (none: the API "
    "is open to whoever reaches the port)"));
  t.push_back(yes_no("allow-open", &c::allow_open,
    "serve without tokens on an address other than loopback (a bare "
    "--allow-open is true)"));
  t.push_back(text("cors-origins", &c::cors_origins,
    "browser origins that may call the API, https://a.example,"
    "https://b.example, or *",
    [](const std::string& v) { cors_policy::parse(v); }));
  t.push_back(text("tls-cert", &c::tls_cert,
    "PEM certificate (chain) for HTTPS; with tls-key the HTTP port speaks "
    "only HTTPS"));
  t.push_back(text("tls-key", &c::tls_key,
                   "PEM private key of tls-cert (unencrypted)"));
  t.push_back({"rate-limit",
    "requests per second per token (per address when open), bursts of as "
    "many; beyond, 429 (0: none)", "0 to 1000000",
    [](config& cfg, const std::string& v) {
      cfg.rate_limit = number<int>("rate-limit", v, 0, 1'000'000);
    },
    [](const config& cfg) {
      return std::to_string(static_cast<int64_t>(cfg.rate_limit));
    }});
  t.push_back(whole<int64_t>("http-request-timeout-ms",
    &c::http_request_timeout_ms, 100, 3'600'000,
    "a request (TLS handshake, head, body) must arrive whole within this "
    "long, or the connection is cut"));
  t.push_back(choice("log-level", &c::log_level, "debug|info|warn|error",
                     set_min_log_level, "the least important lines logged"));
  t.push_back(choice("log-format", &c::log_format, "text|json",
    set_log_format,
    "json: one object a line with time, level, component, message, "
    "request_id"));
  return t;
}

} // namespace

const std::vector<config_key>& config_keys() {
  static const std::vector<config_key> table = make_table();
  return table;
}

const config_key* find_config_key(std::string_view name) {
  for (auto& k : config_keys())
    if (k.name == name)
      return &k;
  return nullptr;
}

std::string env_name_of(std::string_view key) {
  std::string out = "LOGBASE_";
  for (char ch : key)
    out += (ch == '-' || ch == '.')
             ? '_'
             : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

} // namespace logbase
