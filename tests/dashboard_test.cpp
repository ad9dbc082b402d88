// The dashboard (issue #12), in a real browser: headless Chromium driven
// over the DevTools Protocol by tests/browser.py, against the real server
// and broker. The page lists the accounts, shows one with its past events,
// a live one posted through the API while it is open, its daily counts as
// a chart, and names as text (an account named <script>… is shown, not
// run); with tokens on it asks for one first. A screenshot goes to
// build/dashboard.png for a person to look at.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "src/access.hpp"
#include "src/json.hpp"
#include "pki.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

/// The steps of one browser run (see tests/browser.py), as JSON.
class steps {
public:
  steps& open(const std::string& url) {
    return add("{\"open\":" + json_quoted(url) + "}");
  }
  steps& wait(const std::string& js, const std::string& what,
              int timeout_s = 10) {
    return add("{\"wait\":" + json_quoted(js) + ",\"what\":" + json_quoted(what)
               + ",\"timeout\":" + std::to_string(timeout_s) + "}");
  }
  steps& eval(const std::string& js, const std::string& as) {
    return add("{\"eval\":" + json_quoted(js) + ",\"as\":" + json_quoted(as) + "}");
  }
  steps& post(const std::string& url, const std::string& body,
              const std::string& token, const std::string& as) {
    std::string headers = "{\"Content-Type\":\"application/json\"";
    if (!token.empty())
      headers += ",\"Authorization\":" + json_quoted("Bearer " + token);
    headers += "}";
    return add("{\"http\":{\"method\":\"POST\",\"url\":" + json_quoted(url)
               + ",\"body\":" + json_quoted(body) + ",\"headers\":" + headers
               + "},\"as\":" + json_quoted(as) + "}");
  }
  steps& screenshot(const std::string& path) {
    return add("{\"screenshot\":" + json_quoted(path) + "}");
  }
  std::string json() const {
    std::string out = "[";
    for (size_t i = 0; i < list_.size(); ++i)
      out += (i ? ",\n" : "") + list_[i];
    return out + "]";
  }

private:
  steps& add(std::string step) {
    list_.push_back(std::move(step));
    return *this;
  }
  std::vector<std::string> list_;
};

/// What a browser run left: whether every step passed, and the values the
/// `eval` steps kept.
struct outcome {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text;

  bool ok() {
    return doc["ok"].get_bool().value();
  }
  std::string error() {
    return std::string{std::string_view(doc["error"])};
  }
  simdjson::dom::element result(const char* name) {
    return doc["results"][name];
  }
  std::string string(const char* name) {
    auto v = result(name);
    return v.is_string() ? std::string{std::string_view(v)} : std::string{};
  }
  bool flag(const char* name) {
    auto v = result(name);
    return v.is_bool() && v.get_bool().value();
  }
  size_t count(const char* list) {
    simdjson::dom::array a = doc[list];
    return a.size();
  }
};

/// Runs tests/browser.py on the steps; fails the test if it gives no answer.
void browse(const steps& s, pki& dir, outcome& out) {
  std::ofstream{dir.path("steps.json")} << s.json();
  auto script = std::string{std::getenv("LB_TEST_TOOLS")}
                + "/../tests/browser.py";
  auto command = "python3 " + script + " " + dir.path("steps.json") + " >"
                 + dir.path("out.json") + " 2>" + dir.path("err.txt");
  auto status = std::system(command.c_str());
  out.text = read_file(dir.path("out.json"));
  BOOST_TEST_MESSAGE(read_file(dir.path("err.txt")));
  BOOST_REQUIRE_MESSAGE(status == 0 && !out.text.empty(),
                        "browser.py failed: " << read_file(dir.path("err.txt")));
  out.doc = out.parser.parse(out.text);
}

const std::string hostile = "<script>alert(1)</script>";
const std::string hostile_img = "<img src=x onerror=window.pwned=1>";

// The page's own state, as the waits and checks read it.
const std::string events_shown =
  "document.querySelector('#events tbody').textContent";
const std::string page_live =
  "document.getElementById('events').dataset.loaded === '1'"
  " && document.getElementById('live').dataset.state === 'live'";

/// Fills a form's field and submits it, as a person would with Enter.
std::string fill_and_submit(const std::string& field, const std::string& form,
                            const std::string& value) {
  return "document.getElementById(" + json_quoted(field) + ").value = "
         + json_quoted(value) + "; document.getElementById(" + json_quoted(form)
         + ").requestSubmit(); true";
}

std::string heading_is(const std::string& name) {
  return "document.getElementById('account-name').textContent === "
         + json_quoted(name);
}

/// Types `query` into the search box; the names then listed, a line each.
std::string search_for(const std::string& query) {
  return "(() => { const s = document.getElementById('search'); s.value = "
         + json_quoted(query)
         + "; s.dispatchEvent(new Event('input'));"
           " return [...document.querySelectorAll('#account-list .name')]"
           ".map(n => n.textContent).join('\\n'); })()";
}

std::string base(server& s) {
  return "http://127.0.0.1:" + std::to_string(s.port());
}

} // namespace

BOOST_AUTO_TEST_SUITE(dashboard_test)

BOOST_AUTO_TEST_CASE(the_files_are_served_with_their_types) {
  deployment d;
  server s{d};
  auto c = s.client();
  struct file {
    std::string path, type, holds;
  };
  for (auto& f : {file{"/", "text/html; charset=utf-8", "/ui/app.js"},
                  file{"/ui/app.js", "text/javascript; charset=utf-8",
                       "EventSource"},
                  file{"/ui/style.css", "text/css; charset=utf-8", ".chart"}}) {
    auto r = c.Get(f.path);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200, f.path);
    BOOST_TEST(r->get_header_value("Content-Type") == f.type, f.path);
    BOOST_TEST(r->get_header_value("Cache-Control") == "no-cache", f.path);
    BOOST_TEST(r->body.find(f.holds) != std::string::npos, f.path);
  }
  // Server data reaches the page as text only: no HTML parsing anywhere.
  auto js = get_ok(c, "/ui/app.js");
  for (auto sink : {"innerHTML", "outerHTML", "insertAdjacentHTML",
                    "document.write", "eval("})
    BOOST_TEST(js.find(sink) == std::string::npos, sink);
  auto post = c.Post("/", "", "text/plain");
  BOOST_REQUIRE(post);
  BOOST_TEST(post->status == 405);
}

BOOST_AUTO_TEST_CASE(a_live_event_appears_and_names_stay_text) {
  deployment d;
  server s{d};
  auto c = s.client();
  create_account(c, hostile_img);
  auto id = create_account(c, hostile);
  BOOST_REQUIRE(post_events(c, id, R"({"type":"before_open"})") == 201);
  auto events_url = base(s) + "/accounts/" + std::to_string(id) + "/events";

  steps run;
  run.open(base(s) + "/?account=" + std::to_string(id))
    .wait(page_live, "the account's events listed and its stream open", 15)
    .wait(events_shown + ".includes('before_open')", "the past event")
    .post(events_url, R"({"type":"arrived_live"})", "", "post_status")
    .wait(events_shown + ".includes('arrived_live')",
          "the live event in the list")
    .wait("[...document.querySelectorAll('#chart rect.bar')]"
          ".some(r => r.dataset.type === 'arrived_live')",
          "the live event counted in the chart")
    .eval("document.getElementById('account-name').textContent", "name")
    .eval("document.body.innerText", "text")
    .eval("[...document.querySelectorAll('#account-list .name')]"
          ".map(n => n.textContent).join('\\n')",
          "list")
    .eval("document.scripts.length === 1 && document.scripts[0].src"
          " === location.origin + '/ui/app.js'",
          "only_our_script")
    .eval("document.querySelectorAll('img').length === 0", "no_img")
    .eval("window.pwned === 1", "pwned")
    .eval("document.querySelectorAll('#chart rect.bar').length", "bars")
    .eval("document.querySelector('#chart .legend').textContent", "legend")
    .screenshot("../dashboard.png")
    // Search filters the list (case aside), and says when nothing matches.
    .eval(search_for("ONERROR"), "search_img")
    .eval(search_for("no such account"), "search_none")
    .eval("document.getElementById('list-note').textContent", "search_note")
    .eval(search_for(""), "search_all")
    // Create, rename and delete through the page's forms.
    .eval(fill_and_submit("create-name", "create-form", "made in the page"),
          "created")
    .wait(heading_is("made in the page"), "the new account selected")
    .eval("document.getElementById('account').dataset.id", "new_id")
    .eval(fill_and_submit("rename-name", "rename-form", "renamed in the page"),
          "renamed")
    .wait(heading_is("renamed in the page") + " && "
            + "document.getElementById('account-list').textContent"
              ".includes('renamed in the page')",
          "the new name in the heading and the list")
    .eval("document.getElementById('delete-button').click(); true", "deleted")
    .wait("!document.getElementById('empty').hidden && "
          "!document.getElementById('account-list').textContent"
          ".includes('renamed in the page')",
          "the account gone from the page");
  pki dir; // a temporary folder
  outcome out;
  browse(run, dir, out);
  BOOST_TEST_REQUIRE(out.ok(), out.error());
  BOOST_TEST(int64_t(out.result("post_status")) == 201);
  // The names, literally, as text: in the list and as the heading.
  BOOST_TEST(out.string("name") == hostile);
  BOOST_TEST(out.string("list").find(hostile) != std::string::npos);
  BOOST_TEST(out.string("list").find(hostile_img) != std::string::npos);
  BOOST_TEST(count_of(out.string("text"), hostile) == 2u, out.string("text"));
  BOOST_TEST(out.string("search_img") == hostile_img);
  BOOST_TEST(out.string("search_none") == "");
  BOOST_TEST(out.string("search_note") == "No account matches.");
  BOOST_TEST(out.string("search_all").find(hostile) != std::string::npos);
  BOOST_TEST(out.string("search_all").find(hostile_img) != std::string::npos);
  // …and nothing of them became an element or ran.
  BOOST_TEST(out.flag("only_our_script"));
  BOOST_TEST(out.flag("no_img"));
  BOOST_TEST(!out.flag("pwned"));
  // The one dialog: the delete's confirm().
  BOOST_TEST(out.count("dialogs") == 1u, out.text);
  BOOST_TEST(out.text.find("alert:") == std::string::npos, out.text);
  BOOST_TEST(out.count("exceptions") == 0u, out.text);
  // What the forms did, as the API sees it: made, renamed, then deleted.
  auto made = out.string("new_id");
  BOOST_TEST_REQUIRE(!made.empty());
  auto gone = c.Get("/accounts/" + made);
  BOOST_REQUIRE(gone);
  BOOST_TEST(gone->status == 404, gone->body);
  auto listed = c.Get("/accounts");
  BOOST_REQUIRE(listed);
  BOOST_TEST(listed->body.find("in the page") == std::string::npos);
  bool renamed = false;
  for (auto& r : read_topic(d.accounts_topic))
    renamed |= r.value && r.value->find("\"name\":\"renamed in the page\"")
                            != std::string::npos;
  BOOST_TEST(renamed);
  // Both events in one day's stacked bar, one per type, with a legend.
  BOOST_TEST(int64_t(out.result("bars")) == 2);
  BOOST_TEST(out.string("legend").find("before_open") != std::string::npos);
  std::cout << "dashboard screenshot: "
            << std::filesystem::absolute("../dashboard.png").lexically_normal()
                 .string()
            << "\n";
}

BOOST_AUTO_TEST_CASE(with_tokens_it_asks_for_one_first) {
  pki dir; // a temporary folder: the tokens file, the browser's steps
  auto reader = new_token();
  auto writer = new_token();
  std::ofstream{dir.path("tokens")} << sha256_hex(reader) << " read page\n"
                                    << sha256_hex(writer) << " write api\n";
  deployment d;
  server s{d, {"--auth-tokens-file=" + dir.path("tokens")}};
  auto c = s.client();
  c.set_bearer_token_auth(writer.c_str());
  auto id = create_account(c, "behind a token");
  auto events_url = base(s) + "/accounts/" + std::to_string(id) + "/events";

  auto submit = [](const std::string& token) {
    return fill_and_submit("token-input", "token-form", token);
  };
  const std::string panel_shown =
    "!document.getElementById('token-panel').hidden"
    " && document.getElementById('main').hidden";
  steps run;
  run.open(base(s) + "/")
    .wait(panel_shown, "the token form")
    .eval(submit("lb_not_a_token"), "sent_wrong")
    .wait("document.getElementById('token-error').textContent.length > 0",
          "the wrong token refused")
    .eval(panel_shown, "still_asking")
    .eval(submit(reader), "sent_right")
    .wait("document.getElementById('account-list').textContent"
          ".includes('behind a token')",
          "the accounts listed with the token")
    .eval("document.querySelector('#account-list button').click(); true",
          "clicked")
    .wait(page_live, "the account's stream open with ?access_token=", 15)
    .post(events_url, R"({"type":"seen_with_token"})", writer, "post_status")
    .wait(events_shown + ".includes('seen_with_token')",
          "the live event through the token's stream")
    .eval("sessionStorage.getItem('logbase.token') === " + json_quoted(reader),
          "kept_in_session")
    .eval("location.search", "search");
  outcome out;
  browse(run, dir, out);
  BOOST_TEST_REQUIRE(out.ok(), out.error());
  BOOST_TEST(out.flag("still_asking"));
  BOOST_TEST(int64_t(out.result("post_status")) == 201);
  BOOST_TEST(out.flag("kept_in_session"));
  BOOST_TEST(out.string("search") == "?account=" + std::to_string(id));
  BOOST_TEST(out.count("dialogs") == 0u, out.text);
}

BOOST_AUTO_TEST_SUITE_END()
