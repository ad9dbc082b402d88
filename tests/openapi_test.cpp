// The OpenAPI document (issue #12): served at /openapi.json without a
// token, valid OpenAPI 3.1 by a real validator (openapi-spec-validator,
// which tools/setup installs), its error codes exactly those of
// src/errors.hpp, and every route of the server in it.

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "src/errors.hpp"
#include "pki.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;

BOOST_AUTO_TEST_SUITE(openapi_test)

BOOST_AUTO_TEST_CASE(the_document_is_served_valid_and_matches_the_error_table) {
  pki dir; // a temporary folder
  std::ofstream{dir.path("tokens")} << "# nobody\n";
  deployment d;
  server s{d, {"--auth-tokens-file=" + dir.path("tokens")}};
  auto c = s.client();
  auto text = get_ok(c, "/openapi.json"); // open, though tokens are on
  simdjson::dom::parser parser;
  auto doc = parser.parse(text);
  BOOST_TEST(std::string_view(doc["openapi"]) == "3.1.0");

  std::set<std::string> documented;
  for (auto code : doc["components"]["schemas"]["Error"]["properties"]["error"]
                      ["enum"].get_array())
    documented.emplace(std::string_view(code));
  std::set<std::string> table;
#define LOGBASE_ERROR_NAME(name, status) table.emplace(#name);
  LOGBASE_ERRORS(LOGBASE_ERROR_NAME)
#undef LOGBASE_ERROR_NAME
  BOOST_TEST(documented == table);

  std::set<std::string> paths;
  for (auto [path, _] : doc["paths"].get_object())
    paths.emplace(std::string_view(path));
  for (auto route : {"/", "/ui/{file}", "/health", "/ready", "/metrics",
                     "/openapi.json",
                     "/accounts", "/accounts/{id}", "/accounts/{id}/events",
                     "/accounts/{id}/events/stream",
                     "/accounts/{id}/statistics"})
    BOOST_TEST(paths.count(route) == 1u, route);

  // The served bytes, checked by the validator tools/setup installed.
  std::ofstream{dir.path("openapi.json")} << text;
  auto validator = std::string{std::getenv("LB_TEST_TOOLS")}
                   + "/../.cache/venv/bin/openapi-spec-validator";
  auto status = std::system((validator + " " + dir.path("openapi.json")
                             + " >" + dir.path("out") + " 2>&1").c_str());
  BOOST_TEST(status == 0, read_file(dir.path("out")));
}

BOOST_AUTO_TEST_SUITE_END()
