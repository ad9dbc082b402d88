#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "src/config.hpp"
#include "src/config_schema.hpp"

using namespace logbase;

namespace {

/// The keys the README's configuration table names (first column).
std::set<std::string> readme_keys() {
  std::ifstream in{std::string{LB_SOURCE_ROOT} + "/README.md"};
  BOOST_REQUIRE_MESSAGE(in, "cannot read README.md");
  std::set<std::string> out;
  bool in_section = false;
  static const std::regex name{"`([a-z0-9.<>-]+)`"};
  bool in_table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## "))
      in_section = line == "## Configuration";
    if (!in_section)
      continue;
    if (in_table && !line.starts_with("|"))
      break; // the section's first table is the keys'
    in_table = line.starts_with("|");
    if (!line.starts_with("| `"))
      continue;
    auto first = line.substr(0, line.find(" |", 2));
    for (std::sregex_iterator i{first.begin(), first.end(), name}, end;
         i != end; ++i)
      out.insert((*i)[1]);
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_schema_test)

BOOST_AUTO_TEST_CASE(names_and_environment_names_are_unique) {
  std::set<std::string> names;
  std::set<std::string> envs;
  for (auto& k : config_keys()) {
    BOOST_TEST(names.insert(std::string{k.name}).second, k.name);
    BOOST_TEST(envs.insert(env_name_of(k.name)).second, k.name);
    BOOST_TEST(!k.help.empty(), k.name);
  }
  BOOST_TEST(names.size() > 30u);
  BOOST_TEST(env_name_of("http-port") == "LOGBASE_HTTP_PORT");
}

// Each key reads the same from a flag, the environment and the file, and
// its default written back is taken as is.
BOOST_AUTO_TEST_CASE(every_key_comes_alike_from_flag_environment_and_file) {
  config defaults;
  for (auto& k : config_keys()) {
    auto value = k.show(defaults);
    if (value.empty())
      continue; // a text key with no default: nothing to write back
    std::string name{k.name};
    auto path = std::string{"config-schema-"} + name + ".ini";
    std::ofstream{path} << name << " = " << value << "\n";
    auto from_flag = load_config({"--" + name + "=" + value}, {});
    auto from_env = load_config({}, {{env_name_of(k.name), value}});
    auto from_file = load_config({"--config=" + path}, {});
    BOOST_TEST(k.show(from_flag) == value, name);
    BOOST_TEST(k.show(from_env) == value, name);
    BOOST_TEST(k.show(from_file) == value, name);
    std::remove(path.c_str());
  }
}

// A number key refuses the numbers just outside its range, and text.
BOOST_AUTO_TEST_CASE(number_keys_refuse_what_is_outside_their_range) {
  static const std::regex range{"(-?[0-9]+) to ([0-9]+)"};
  int checked = 0;
  for (auto& k : config_keys()) {
    std::smatch m;
    if (!std::regex_match(k.range, m, range))
      continue;
    config c;
    auto above = std::to_string(std::stoull(m[2]) + 1);
    BOOST_CHECK_THROW(k.set(c, above), std::invalid_argument);
    BOOST_CHECK_THROW(k.set(c, "twelve"), std::invalid_argument);
    BOOST_CHECK_NO_THROW(k.set(c, m[2]));
    if (std::stoll(m[1]) > 0)
      BOOST_CHECK_THROW(k.set(c, std::to_string(std::stoll(m[1]) - 1)),
                        std::invalid_argument);
    ++checked;
  }
  BOOST_TEST(checked > 15);
}

BOOST_AUTO_TEST_CASE(help_lists_every_key_with_its_default_and_environment) {
  auto help = config_help();
  config defaults;
  for (auto& k : config_keys()) {
    auto at = help.find("\n  " + std::string{k.name});
    BOOST_TEST((at != std::string::npos
                && std::isspace(help[at + 3 + k.name.size()])), k.name);
    BOOST_TEST(help.find(env_name_of(k.name)) != std::string::npos, k.name);
  }
  BOOST_TEST(help.find("default: 8080; 0 to 65535; env LOGBASE_HTTP_PORT\n")
             != std::string::npos);
  // No line runs past 80 columns.
  std::istringstream in{help};
  for (std::string line; std::getline(in, line);)
    BOOST_TEST(line.size() <= 80u, line);
}

// The README's table names exactly the keys there are.
BOOST_AUTO_TEST_CASE(the_readme_documents_exactly_these_keys) {
  std::set<std::string> want{"kafka.<property>"};
  for (auto& k : config_keys())
    want.insert(std::string{k.name});
  auto documented = readme_keys();
  for (auto& k : want)
    BOOST_TEST(documented.count(k) == 1u, "README lacks " << k);
  for (auto& k : documented)
    BOOST_TEST(want.count(k) == 1u, "README names unknown key " << k);
}

BOOST_AUTO_TEST_SUITE_END()
