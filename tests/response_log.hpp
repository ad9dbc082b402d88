#pragma once

// Every answer the API tests receive, kept for tests/check_responses.py,
// which checks each against docs/openapi.json (issue #12): the document
// is only worth having if what the server says matches it.

#include <httplib.h>

namespace logbase::test {

/// Makes `c` append each request's answer (method, path, status, headers,
/// body) to a file of this process in $LB_TEST_RESPONSES_DIR; nothing when
/// that variable is not set.
void record_responses(httplib::Client& c);

} // namespace logbase::test
