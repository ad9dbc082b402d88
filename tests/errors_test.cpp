#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "errors.hpp"

using namespace logbase;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_DATA_TEST_CASE(
  codes_map_to_their_status,
  bdata::make({"malformed_json", "invalid_body", "bad_query", "account_not_found",
               "version_conflict", "payload_too_large", "invalid_name",
               "invalid_event_type", "happened_at_out_of_range",
               "broker_unavailable", "not_ready", "invalid_idempotency_key",
               "idempotency_key_reused"})
    ^ bdata::make({400, 400, 400, 404, 412, 413, 422, 422, 422, 503, 503, 400,
                   422}),
  name, status) {
  auto code = error_code_from_string(name);
  BOOST_TEST(to_string(code) == name);
  BOOST_TEST(http_status(code) == status);
}

BOOST_AUTO_TEST_CASE(unknown_names_are_internal_errors) {
  BOOST_TEST(http_status(error_code_from_string("nope")) == 500);
}

BOOST_AUTO_TEST_SUITE_END()
