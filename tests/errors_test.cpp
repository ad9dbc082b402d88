#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <vector>

#include "src/errors.hpp"

using namespace logbase;

namespace {

/// One row of src/errors.hpp's table, as the X-macro lists it.
struct row {
  error_code code;
  std::string name;
  int status;
};

/// Every row, in table order: a code added to the table is walked here
/// without anyone restating it in the test.
const std::vector<row>& table() {
  static const std::vector<row> rows{
#define LOGBASE_ERROR_ROW(name, status) {error_code::name, #name, status},
    LOGBASE_ERRORS(LOGBASE_ERROR_ROW)
#undef LOGBASE_ERROR_ROW
  };
  return rows;
}

bool snake_case(const std::string& s) {
  if (s.empty() || s.front() == '_' || s.back() == '_')
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool lower = s[i] >= 'a' && s[i] <= 'z';
    if (!lower && !(s[i] == '_' && s[i - 1] != '_'))
      return false;
  }
  return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(errors_test)

// The functions clients depend on (the `error` field, the status line, the
// lookup the tests and tools use) answer for each row what the row says.
BOOST_AUTO_TEST_CASE(every_code_answers_its_name_and_status) {
  BOOST_TEST(table().size() > 0u);
  for (auto& r : table()) {
    BOOST_TEST(to_string(r.code) == r.name);
    BOOST_TEST(http_status(r.code) == r.status, r.name);
    BOOST_TEST((error_code_from_string(r.name) == r.code), r.name);
  }
}

// Codes are the API's vocabulary: one spelling each, snake_case, and each
// status an error status (4xx for the client's mistakes, 5xx for ours).
BOOST_AUTO_TEST_CASE(names_are_unique_snake_case_and_statuses_are_errors) {
  std::set<std::string> names;
  std::set<error_code> codes;
  for (auto& r : table()) {
    BOOST_TEST(names.insert(r.name).second, r.name << " twice");
    BOOST_TEST(codes.insert(r.code).second, r.name << " shares its enumerator");
    BOOST_TEST(snake_case(r.name), r.name);
    BOOST_TEST((r.status >= 400 && r.status <= 599), r.name << " " << r.status);
  }
}

// The enum is the table and nothing else: its values run 0..n-1 in table
// order, so no enumerator exists outside the table.
BOOST_AUTO_TEST_CASE(the_enum_holds_exactly_the_rows) {
  for (size_t i = 0; i < table().size(); ++i)
    BOOST_TEST(static_cast<size_t>(table()[i].code) == i, table()[i].name);
}

BOOST_AUTO_TEST_CASE(unknown_names_are_internal_errors) {
  for (auto name : {"nope", "", "Account_Not_Found", "account_not_found "}) {
    BOOST_TEST((error_code_from_string(name) == error_code::internal_error),
               name);
    BOOST_TEST(http_status(error_code_from_string(name)) == 500, name);
  }
}

BOOST_AUTO_TEST_SUITE_END()
