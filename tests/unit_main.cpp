// The unit test runner: every *_test.cpp linked into it is a suite.
#define BOOST_TEST_MODULE logbase_unit
#include <boost/test/unit_test.hpp>
