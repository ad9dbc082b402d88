#include "src/route_template.hpp"

#include <array>

namespace logbase {

namespace {

constexpr std::string_view fixed_routes[] = {
  "/", "/health", "/ready", "/metrics", "/openapi.json", "/accounts"};

/// The dashboard's files, as the API document names them.
constexpr std::string_view ui_route = "/ui/{file}";

/// What may follow `/accounts/{id}`.
constexpr std::array<std::string_view, 4> account_routes = {
  "/accounts/{id}", "/accounts/{id}/events", "/accounts/{id}/events/stream",
  "/accounts/{id}/statistics"};

constexpr std::array<std::string_view, 4> account_tails = {
  "", "/events", "/events/stream", "/statistics"};

} // namespace

std::string_view route_template(std::string_view path) {
  for (auto r : fixed_routes)
    if (path == r)
      return r;
  // One segment, as the server's route takes it.
  if (path.starts_with("/ui/") && path.size() > 4
      && path.find('/', 4) == std::string_view::npos)
    return ui_route;
  constexpr std::string_view prefix = "/accounts/";
  if (!path.starts_with(prefix))
    return "other";
  auto rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  auto id = rest.substr(0, slash);
  if (id.empty())
    return "other";
  auto tail = slash == std::string_view::npos ? std::string_view{}
                                              : rest.substr(slash);
  for (size_t i = 0; i < account_tails.size(); ++i)
    if (tail == account_tails[i])
      return account_routes[i];
  return "other";
}

std::string_view method_label(std::string_view method) {
  for (std::string_view m :
       {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"})
    if (method == m)
      return m;
  return "other";
}

} // namespace logbase
