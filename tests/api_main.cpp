// The API test runner: the real server binary against the real broker.
#define BOOST_TEST_MODULE logbase_api
#include <boost/test/unit_test.hpp>
