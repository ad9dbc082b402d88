#pragma once

/// Checks of the Prometheus text format, for the tests that read /metrics.

#include <regex>
#include <sstream>
#include <string>

namespace logbase::test {

/// Every line that is not a comment reads `name{labels} value` or
/// `name value`; returns the first that does not ("" when all do).
inline std::string first_unparsable(const std::string& text) {
  const std::string name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const std::string label = R"re([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")re";
  const std::string labels = "\\{" + label + "(," + label + ")*\\}";
  const std::string value = "([-+]?[0-9.]+([eE][-+]?[0-9]+)?|[-+]?Inf|NaN)";
  const std::regex sample{name + "(" + labels + ")? " + value};
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#' && !std::regex_match(line, sample))
      return line;
  return {};
}

} // namespace logbase::test
