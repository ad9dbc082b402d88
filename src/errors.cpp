#include "src/errors.hpp"

namespace logbase {

std::string_view to_string(error_code code) {
  switch (code) {
#define LOGBASE_ERROR_NAME(name, status)                                       \
  case error_code::name:                                                       \
    return #name;
    LOGBASE_ERRORS(LOGBASE_ERROR_NAME)
#undef LOGBASE_ERROR_NAME
  }
  return "internal_error";
}

int http_status(error_code code) {
  switch (code) {
#define LOGBASE_ERROR_STATUS(name, status)                                     \
  case error_code::name:                                                       \
    return status;
    LOGBASE_ERRORS(LOGBASE_ERROR_STATUS)
#undef LOGBASE_ERROR_STATUS
  }
  return 500;
}

error_code error_code_from_string(std::string_view name) {
#define LOGBASE_ERROR_LOOKUP(code_name, status)                                \
  if (name == #code_name)                                                      \
    return error_code::code_name;
  LOGBASE_ERRORS(LOGBASE_ERROR_LOOKUP)
#undef LOGBASE_ERROR_LOOKUP
  return error_code::internal_error;
}

} // namespace logbase
