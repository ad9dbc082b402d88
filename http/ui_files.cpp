#include "http/ui_files.hpp"

#include <array>
#include <utility>

#include "ui_api_js.hpp"
#include "ui_app_js.hpp"
#include "ui_chart_js.hpp"
#include "ui_dom_js.hpp"
#include "ui_index_html.hpp"
#include "ui_instants_js.hpp"
#include "ui_style_css.hpp"

namespace logbase {

namespace {

constexpr const char* script = "text/javascript; charset=utf-8";

constexpr std::array<std::pair<std::string_view, ui_file>, 6> files{{
  {"app.js", {ui_app_js, script}},
  {"api.js", {ui_api_js, script}},
  {"chart.js", {ui_chart_js, script}},
  {"dom.js", {ui_dom_js, script}},
  {"instants.js", {ui_instants_js, script}},
  {"style.css", {ui_style_css, "text/css; charset=utf-8"}},
}};

} // namespace

std::optional<ui_file> ui_file_named(std::string_view name) {
  for (const auto& [file_name, file] : files)
    if (file_name == name)
      return file;
  return std::nullopt;
}

ui_file ui_index() {
  return {ui_index_html, "text/html; charset=utf-8"};
}

} // namespace logbase
