#pragma once

/// The route template a request path belongs to (`/accounts/{id}/events`),
/// for metrics labels: never the raw path, so that the label takes a
/// handful of values however many accounts there are.

#include <string_view>

namespace logbase {

/// The template of a path (without its query), or `other` for a path that
/// names no route.
std::string_view route_template(std::string_view path);

/// The method as a label: one of the methods logbase answers, or `other`.
std::string_view method_label(std::string_view method);

} // namespace logbase
