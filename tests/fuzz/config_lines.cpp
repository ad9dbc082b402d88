// Configuration text: a config file's `key = value` lines
// (apply_config_text), the same lines as command-line flags (load_config),
// the tokens file (token_table::parse) and --cors-origins
// (cors_policy::parse). Refusals are std::invalid_argument with a message;
// nothing else may escape, and what is accepted is within its bounds.
//
// Input: the text, given to each parser.

#include <sstream>
#include <stdexcept>

#include "src/access.hpp"
#include "src/config.hpp"
#include "fuzz_input.hpp"

using namespace logbase;

namespace {

void check_bounds(const config& cfg) {
  FUZZ_CHECK(cfg.accounts_partitions >= 1 && cfg.accounts_partitions <= 10000);
  FUZZ_CHECK(cfg.events_partitions >= 1 && cfg.events_partitions <= 10000);
  FUZZ_CHECK(cfg.events_retention_ms >= 1000);
  FUZZ_CHECK(cfg.write_timeout_ms >= 100 && cfg.write_timeout_ms <= 600'000);
  FUZZ_CHECK(cfg.id_block_size >= 1);
  FUZZ_CHECK(cfg.http_threads >= 1 && cfg.http_max_threads >= 2);
  FUZZ_CHECK(cfg.actor_threads >= 1 && cfg.actor_threads <= 64);
  FUZZ_CHECK(cfg.standby_replicas >= 0 && cfg.standby_replicas <= 16);
  FUZZ_CHECK(cfg.session_timeout_ms >= 1000);
  FUZZ_CHECK(cfg.rate_limit >= 0);
  FUZZ_CHECK(!cfg.app_id.empty());
  if (cfg.linked())
    FUZZ_CHECK(parse_node_address(cfg.node_address).port >= 1);
}

void check_file(std::string_view text) {
  config cfg;
  try {
    apply_config_text(cfg, text, "fuzz.conf");
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(*e.what() != '\0');
    return;
  }
  check_bounds(cfg);
}

void check_flags(std::string_view text) {
  std::vector<std::string> args;
  std::istringstream in{std::string{text}};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("--config=", 0) != 0) // no files read here
      args.push_back(line);
  try {
    check_bounds(load_config(args, {}));
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(*e.what() != '\0');
  }
}

void check_tokens(std::string_view text) {
  try {
    auto table = token_table::parse(text, "tokens");
    (void)table.find("not a listed token");
  } catch (const std::invalid_argument& e) {
    // The message names the line, never a hash.
    FUZZ_CHECK(std::string_view{e.what()}.rfind("tokens:", 0) == 0);
  }
}

void check_origins(std::string_view text) {
  cors_policy cors;
  try {
    cors = cors_policy::parse(text);
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(*e.what() != '\0');
    return;
  }
  // Every origin listed is let in, as itself.
  std::istringstream in{std::string{text}};
  for (std::string item; std::getline(in, item, ',');) {
    auto first = item.find_first_not_of(' ');
    if (first == std::string::npos)
      continue;
    item = item.substr(first, item.find_last_not_of(' ') - first + 1);
    auto allowed = cors.allow_origin(item);
    FUZZ_CHECK(allowed && (*allowed == item || *allowed == "*"));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  check_file(text);
  check_flags(text);
  check_tokens(text);
  check_origins(text);
  return 0;
}
