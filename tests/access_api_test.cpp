// Who may call the API (issue #11), against the real server and broker:
// every route with no token, an unknown one and each role; a revoked token
// after SIGHUP; CORS preflights and answers for listed and unlisted
// origins; HTTPS with a test CA; 429 over the rate; a slow client cut off
// while others are served.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <map>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "src/access.hpp"
#include "pki.hpp"
#include "raw_client.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// A tokens file with one token per role, made as `logbase token` makes
/// them (the file holds their hashes only).
struct tokens_file {
  pki dir; // a temporary folder (its CA is not used here)
  std::map<std::string, std::string> token_of;

  tokens_file() {
    write({"read", "write", "admin", "metrics"});
  }

  /// Lists (only) these roles' tokens.
  void write(const std::vector<std::string>& roles) {
    std::ofstream out{path()};
    out << "# tokens of the access tests\n\n";
    for (auto& r : roles) {
      if (!token_of.count(r))
        token_of[r] = new_token();
      out << sha256_hex(token_of[r]) << " " << r << " the " << r
          << " client\n";
    }
  }

  std::string path() const {
    return dir.path("tokens");
  }

  std::string flag() const {
    return "--auth-tokens-file=" + path();
  }
};

httplib::Headers bearer(const std::string& token) {
  if (token.empty())
    return {};
  return {{"Authorization", "Bearer " + token}};
}

/// One request as a client with `token` sends it; its status (a stream's
/// once its head arrived), or 0 without an answer.
int status_of(httplib::Client& c, const std::string& method,
              const std::string& path, const std::string& body,
              const std::string& token, std::string* answer = nullptr) {
  auto h = bearer(token);
  httplib::Result r{nullptr, httplib::Error::Unknown};  if (method == "GET" && path.find("/stream") != std::string::npos) {
    int status = 0;
    c.Get(path, h,
          [&](const httplib::Response& res) {
            status = res.status;
            return status != 200; // a stream's head is enough
          },
          [&](const char* data, size_t n) {
            if (answer != nullptr)
              answer->append(data, n);
            return true;
          });
    return status;
  }
  if (method == "GET")
    r = c.Get(path, h);
  else if (method == "POST")
    r = c.Post(path, h, body, "application/json");
  else if (method == "PUT")
    r = c.Put(path, h, body, "application/json");
  else if (method == "PATCH")
    r = c.Patch(path, h, body, "application/json");
  else if (method == "DELETE")
    r = c.Delete(path, h);
  if (!r)
    return 0;
  if (answer != nullptr)
    *answer = r->body;
  return r->status;
}

} // namespace

BOOST_AUTO_TEST_SUITE(access_api_test)

BOOST_AUTO_TEST_CASE(every_route_answers_each_role_as_the_table_says) {
  tokens_file tokens;
  deployment d;
  pki logs;
  auto log = logs.path("server.log");
  server s{d, {tokens.flag(), "--log-level=debug"}, true, 0, log};
  auto c = s.client();
  auto admin = tokens.token_of["admin"];
  auto as_admin = s.client();
  as_admin.set_default_headers(bearer(admin));
  std::string created;
  BOOST_REQUIRE_EQUAL(status_of(c, "POST", "/accounts", R"({"name":"fixture"})",
                                admin, &created), 201);
  auto id = std::to_string(std::stoll(created.substr(created.find(':') + 1)));
  auto account = "/accounts/" + id;
  BOOST_REQUIRE_EQUAL(status_of(c, "POST", account + "/events",
                                R"({"type":"seen","happenedAt":")" + iso_now()
                                  + R"("})",
                                admin),
                      201);

  struct route {
    std::string method, path, body;
    access_need need;
    int ok; // the status when let in
  };
  std::vector<route> routes{
    {"GET", "/health", "", access_need::open, 200},
    {"GET", "/ready", "", access_need::open, 200},
    {"GET", "/metrics", "", access_need::metrics, 200},
    {"GET", "/accounts", "", access_need::read, 200},
    {"POST", "/accounts", R"({"name":"by a client"})", access_need::write, 201},
    {"GET", account, "", access_need::read, 200},
    {"PUT", account, R"({"name":"renamed"})", access_need::write, 200},
    {"PATCH", account, R"({"name":"patched"})", access_need::write, 200},
    {"POST", account + "/events",
     R"({"type":"seen","happenedAt":")" + iso_now() + R"("})",
     access_need::write, 201},
    {"GET", account + "/events", "", access_need::read, 200},
    {"GET", account + "/statistics", "", access_need::read, 200},
    {"GET", account + "/events/stream", "", access_need::read, 200},
    {"DELETE", "(a fresh account)", "", access_need::write, 204},
  };
  std::vector<std::pair<std::string, std::string>> callers{
    {"no token", ""}, {"unknown", new_token()}};
  for (auto r : {"read", "write", "admin", "metrics"})
    callers.emplace_back(r, tokens.token_of[r]);
  for (auto& rt : routes)
    for (auto& [who, token] : callers) {
      auto path = rt.path;
      if (path == "(a fresh account)")
        path = "/accounts/"
               + std::to_string(create_account(as_admin, "doomed"));
      int expected = rt.ok;
      if (rt.need != access_need::open) {
        auto granted = role_from_string(who);
        if (!granted)
          expected = 401;
        else if (!role_allows(*granted, rt.need))
          expected = 403;
      }
      std::string body;
      auto got = status_of(c, rt.method, path, rt.body, token, &body);
      BOOST_TEST_CONTEXT(rt.method << " " << rt.path << " as " << who) {
        BOOST_TEST(got == expected);
        if (expected == 401 || expected == 403)
          BOOST_TEST(error_code_of(body)
                     == (expected == 401 ? "unauthorized" : "forbidden"));
        for (auto& [_, t] : callers)
          if (!t.empty())
            BOOST_TEST(body.find(t) == std::string::npos);
      }
    }
  // 401 says how to authenticate.
  auto r = c.Get("/accounts");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->get_header_value("WWW-Authenticate").rfind("Bearer", 0) == 0u);
  // EventSource sends no headers: the stream takes ?access_token= (only it).
  BOOST_TEST(status_of(c, "GET", account + "/events/stream?access_token="
                                   + tokens.token_of["read"], "", "")
             == 200);
  BOOST_TEST(status_of(c, "GET", account + "/events?access_token="
                                   + tokens.token_of["read"], "", "")
             == 401);
  s.stop();
  // No token in any log line, debug included.
  auto text = read_file(log);
  BOOST_TEST(!text.empty());
  for (auto& [who, token] : callers)
    if (!token.empty())
      BOOST_TEST(text.find(token) == std::string::npos, who);
}

BOOST_AUTO_TEST_CASE(a_token_removed_from_the_file_is_refused_after_sighup) {
  tokens_file tokens;
  deployment d;
  auto log = tokens.dir.path("server.log");
  server s{d, {tokens.flag(), "--log-level=info"}, true, 0, log};
  auto c = s.client();
  auto write = tokens.token_of["write"];
  BOOST_TEST(status_of(c, "GET", "/accounts", "", write) == 200);
  tokens.write({"read", "admin"});
  BOOST_TEST(status_of(c, "GET", "/accounts", "", write) == 200); // not yet
  s.signal(SIGHUP);
  BOOST_TEST(wait_until([&] { return status_of(c, "GET", "/accounts", "",
                                               write) == 401; },
                        10s));
  BOOST_TEST(status_of(c, "GET", "/accounts", "", tokens.token_of["read"])
             == 200);
  // A file that cannot be read on SIGHUP keeps the tokens there were.
  std::ofstream{tokens.path()} << "not a hash\n";
  s.signal(SIGHUP);
  BOOST_TEST(wait_until([&] {
    return read_file(log).find("tokens file not re-read") != std::string::npos;
  }, 10s));
  BOOST_TEST(status_of(c, "GET", "/accounts", "", tokens.token_of["read"])
             == 200);
  BOOST_TEST(s.running());
}

BOOST_AUTO_TEST_CASE(browsers_of_listed_origins_only_get_cors_answers) {
  deployment d;
  server s{d, {"--cors-origins=https://a.example, https://b.example:8443"}};
  auto c = s.client();
  c.set_keep_alive(true); // answers handed over to the front's thread too
  auto id = create_account(c, "cors");
  auto account = "/accounts/" + std::to_string(id);
  auto preflight = [&](const std::string& origin, const std::string& path) {
    return c.Options(path, {{"Origin", origin},
                            {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers",
                             "authorization, content-type"}});
  };
  auto ok = preflight("https://b.example:8443", account + "/events");
  BOOST_REQUIRE(ok);
  BOOST_TEST(ok->status == 204);
  BOOST_TEST(ok->get_header_value("Access-Control-Allow-Origin")
             == "https://b.example:8443");
  BOOST_TEST(ok->get_header_value("Access-Control-Allow-Methods")
             == "GET, POST");
  auto allowed = ok->get_header_value("Access-Control-Allow-Headers");
  for (auto h : {"Authorization", "Content-Type", "If-Match", "Last-Event-ID"})
    BOOST_TEST(allowed.find(h) != std::string::npos, h);
  auto refused = preflight("https://evil.example", account + "/events");
  BOOST_REQUIRE(refused);
  BOOST_TEST(refused->status == 403);
  BOOST_TEST(!refused->has_header("Access-Control-Allow-Origin"));
  BOOST_TEST(error_code_of(refused->body) == "forbidden");
  // Answers: the listed origin is named, an unlisted one never echoed.
  for (int round = 0; round < 3; ++round) {
    auto r = c.Get(account, {{"Origin", "https://a.example"}});
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 200);
    BOOST_TEST(r->get_header_value("Access-Control-Allow-Origin")
               == "https://a.example");
    BOOST_TEST(r->get_header_value("Access-Control-Expose-Headers")
                 .find("ETag") != std::string::npos);
    auto other = c.Get(account, {{"Origin", "https://evil.example"}});
    BOOST_REQUIRE(other);
    BOOST_TEST(other->status == 200);
    BOOST_TEST(!other->has_header("Access-Control-Allow-Origin"));
  }
}

BOOST_AUTO_TEST_CASE(https_round_trip_with_the_test_ca) {
  pki keys;
  keys.node("server", "IP:127.0.0.1,DNS:localhost");
  deployment d;
  server s{d,
           {"--tls-cert=" + keys.path("server.pem"),
            "--tls-key=" + keys.path("server.key")},
           false};
  httplib::Client c{"https://127.0.0.1:" + std::to_string(s.port())};
  c.set_ca_cert_path(keys.path("ca.pem").c_str());
  c.enable_server_certificate_verification(true);
  c.set_keep_alive(true);
  BOOST_REQUIRE(wait_until([&] {
    auto r = c.Get("/ready");
    return r && r->status == 200;
  }, 60s, 200ms));
  auto id = create_account(c, "over tls");
  auto account = "/accounts/" + std::to_string(id);
  auto r = c.Post(account + "/events",
                  R"({"type":"secure","happenedAt":")" + iso_now() + R"("})",
                  "application/json");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 201);
  BOOST_TEST(sum_of_counts(get_ok(c, account + "/statistics")) == 1);
  // Without the CA the client refuses the server; plain HTTP gets nothing.
  httplib::Client stranger{"https://127.0.0.1:" + std::to_string(s.port())};
  stranger.enable_server_certificate_verification(true);
  stranger.set_ca_cert_path(keys.path("server.pem").c_str());
  BOOST_TEST(!stranger.Get("/health"));
  auto plain = s.client();
  auto p = plain.Get("/health");
  BOOST_TEST((!p || p->status != 200));
}

BOOST_AUTO_TEST_CASE(a_client_over_its_rate_gets_429_and_others_do_not) {
  tokens_file tokens;
  deployment d;
  server s{d, {tokens.flag(), "--rate-limit=5"}};
  auto c = s.client();
  c.set_keep_alive(true);
  int limited = 0, served = 0;
  std::string retry_after, body;
  for (int i = 0; i < 30; ++i) {
    auto r = c.Get("/accounts", bearer(tokens.token_of["read"]));
    BOOST_REQUIRE(r);
    if (r->status == 429) {
      ++limited;
      retry_after = r->get_header_value("Retry-After");
      body = r->body;
    } else if (r->status == 200) {
      ++served;
    }
  }
  BOOST_TEST(limited > 0);
  BOOST_TEST(served >= 5);
  BOOST_TEST(served + limited == 30);
  BOOST_TEST(error_code_of(body) == "rate_limited");
  BOOST_TEST(!retry_after.empty());
  BOOST_TEST(std::stoi(retry_after) >= 1);
  // Another token has a rate of its own.
  BOOST_TEST(status_of(c, "GET", "/accounts", "", tokens.token_of["write"])
             == 200);
}

BOOST_AUTO_TEST_CASE(a_slow_client_is_cut_off_while_others_are_served) {
  deployment d;
  server s{d, {"--http-request-timeout-ms=1500"}};
  std::string answer;
  dribbled slow_client;
  std::thread slow{[&] { slow_client = dribble(s.port(), 300ms, &answer); }};
  // Meanwhile, others are answered as usual.
  auto c = s.client();
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = c.Get("/health");
    answered += r && r->status == 200;
    std::this_thread::sleep_for(100ms);
  }
  slow.join();
  BOOST_TEST(answered == 20);
  // Cut off while still dribbling (each byte came within 0.3 s, the head
  // never whole): told by how far it got, not by a stopwatch that a busy
  // machine stretches.
  BOOST_TEST(slow_client.cut);
  BOOST_TEST(slow_client.sent < slow_client.whole,
             slow_client.sent << " of " << slow_client.whole << " bytes sent");
  BOOST_TEST(answer.find("200 OK") == std::string::npos);
  BOOST_TEST(metric_of(s, "logbase_http_slow_requests_cut_total") >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
