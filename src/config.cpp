#include "src/config.hpp"
#include "src/config_schema.hpp"

#include "src/access.hpp"
#include "src/cluster.hpp"
#include "src/log.hpp"

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

// LOGBASE_HTTP_PORT → http-port (the table's env names);
// LOGBASE_KAFKA_SASL_USERNAME → kafka.sasl.username (librdkafka's names use
// dots, never underscores).
std::string key_of_env(const std::string& name) {
  for (auto& k : config_keys())
    if (env_name_of(k.name) == name)
      return std::string{k.name};
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
  } else if (auto* k = find_config_key(key)) {
    k->set(cfg, value);
  } else if (key == "nodes" || key == "node-index") {
    throw std::invalid_argument(
      "config '" + key + "' is gone: nodes now share the partitions through "
      "Kafka's consumer group; give each node only --node-address=HOST:PORT "
      "(where its peers reach it) and, if you like, --node-name");
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

namespace {

/// `text` wrapped to `width` columns, each line after the first indented.
std::string wrapped(std::string_view text, size_t indent, size_t width) {
  std::string out;
  size_t column = indent;
  while (!text.empty()) {
    auto space = text.find(' ');
    auto word = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size()
                                                       : space + 1);
    if (column > indent && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
  }
  return out;
}

} // namespace

std::string config_help() {
  std::string out = R"(usage: logbase [--key=value ...]
       logbase token read|write|admin|metrics [comment]
                            makes a token, and its line for auth-tokens-file
       logbase reset|purge [--yes] [--key=value ...]
                            see tools/reset and tools/purge

Keys: --key=value, key = value lines in the file named by --config=FILE (or
LOGBASE_CONFIG), or the environment variable shown; flags win over the
environment, the environment over the file.
)";
  constexpr size_t column = 28;
  config defaults;
  for (auto& k : config_keys()) {
    std::string line = "  " + std::string{k.name};
    line += line.size() + 1 < column ? std::string(column - line.size(), ' ')
                                     : "\n" + std::string(column, ' ');
    auto value = k.show(defaults);
    std::string facts =
      "default: " + (value.empty() ? std::string{"none"} : value);
    if (!k.range.empty())
      facts += "; " + k.range;
    facts += "; env " + env_name_of(k.name);
    out += line + wrapped(k.help, column, 78) + "\n"
           + std::string(column, ' ') + wrapped(facts, column, 78) + "\n";
  }
  out += "  kafka.<property>          passed to librdkafka, e.g. "
         "kafka.security.protocol\n"
         "                            env LOGBASE_KAFKA_SECURITY_PROTOCOL\n";
  return out;
}

} // namespace logbase
