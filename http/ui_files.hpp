#pragma once

// The dashboard's files (http/ui/), compiled into the binary.

#include <optional>
#include <string_view>

namespace logbase {

struct ui_file {
  std::string_view text;
  const char* content_type;
};

/// The file served at /ui/<name> (a script or the style sheet); none for
/// any other name.
std::optional<ui_file> ui_file_named(std::string_view name);

/// The page at /.
ui_file ui_index();

} // namespace logbase
