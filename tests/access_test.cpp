#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "src/access.hpp"
#include "src/config.hpp"

using namespace logbase;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(access_test)

BOOST_AUTO_TEST_CASE(sha256_matches_the_standard_test_vector) {
  BOOST_TEST(sha256_hex("abc")
             == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(a_tokens_file_maps_hashes_to_roles) {
  auto reader = new_token();
  auto writer = new_token();
  BOOST_TEST(reader != writer);
  BOOST_TEST(reader.rfind("lb_", 0) == 0u);
  auto text = "# comment line\n\n" + sha256_hex(reader) + " read the dashboard\n"
              + sha256_hex(writer) + "\twrite\n";
  auto table = token_table::parse(text, "tokens");
  BOOST_TEST(table.size() == 2u);
  BOOST_TEST((table.find(reader) == role::read));
  BOOST_TEST((table.find(writer) == role::write));
  BOOST_TEST(!table.find("lb_not-listed"));
  BOOST_TEST(!table.find(""));
  BOOST_TEST(!table.find(sha256_hex(reader))); // the hash is not the token
}

BOOST_AUTO_TEST_CASE(a_bad_line_names_its_line_and_never_its_text) {
  auto hash = sha256_hex("t");
  for (auto [text, needle] :
       {std::pair{hash + "\n", "role is missing"},
        std::pair{hash + " owner\n", "unknown role 'owner'"},
        std::pair{std::string{"abc read\n"}, "64 hex digits"},
        std::pair{hash.substr(1) + "g read\n", "64 hex digits"}}) {
    try {
      token_table::parse("# ok\n" + text, "tokens");
      BOOST_FAIL("accepted: " + text);
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      BOOST_TEST(what.find("tokens:2: ") == 0u, what);
      BOOST_TEST(what.find(needle) != std::string::npos, what);
      BOOST_TEST(what.find(hash.substr(1, 60)) == std::string::npos, what);
    }
  }
}

BOOST_AUTO_TEST_CASE(roles_allow_what_the_issue_says) {
  using n = access_need;
  BOOST_TEST(role_allows(role::read, n::read));
  BOOST_TEST(!role_allows(role::read, n::write));
  BOOST_TEST(!role_allows(role::read, n::metrics));
  BOOST_TEST(role_allows(role::write, n::read));
  BOOST_TEST(role_allows(role::write, n::write));
  BOOST_TEST(!role_allows(role::write, n::metrics));
  BOOST_TEST(role_allows(role::admin, n::read));
  BOOST_TEST(role_allows(role::admin, n::write));
  BOOST_TEST(role_allows(role::admin, n::metrics));
  BOOST_TEST(!role_allows(role::metrics, n::read));
  BOOST_TEST(!role_allows(role::metrics, n::write));
  BOOST_TEST(role_allows(role::metrics, n::metrics));
  for (auto r : {role::read, role::write, role::admin, role::metrics})
    BOOST_TEST(role_allows(r, n::open));
}

BOOST_AUTO_TEST_CASE(routes_need_what_their_method_does) {
  BOOST_TEST((need_of("GET", "/health") == access_need::open));
  BOOST_TEST((need_of("GET", "/ready") == access_need::open));
  BOOST_TEST((need_of("GET", "/openapi.json") == access_need::open));
  BOOST_TEST((need_of("GET", "/") == access_need::open));
  BOOST_TEST((need_of("GET", "/metrics") == access_need::metrics));
  BOOST_TEST((need_of("GET", "/accounts/1/events/stream")
              == access_need::read));
  BOOST_TEST((need_of("HEAD", "/accounts") == access_need::read));
  for (auto m : {"POST", "PUT", "PATCH", "DELETE"})
    BOOST_TEST((need_of(m, "/accounts/1") == access_need::write), m);
}

BOOST_AUTO_TEST_CASE(cors_names_listed_origins_and_never_echoes_others) {
  auto p = cors_policy::parse("https://a.example, http://b.example:8080");
  BOOST_TEST(p.enabled());
  BOOST_TEST(p.allow_origin("https://a.example").value_or("")
             == "https://a.example");
  BOOST_TEST(p.allow_origin("http://b.example:8080").value_or("")
             == "http://b.example:8080");
  BOOST_TEST(!p.allow_origin("https://a.example.evil"));
  BOOST_TEST(!p.allow_origin("http://a.example"));
  BOOST_TEST(!p.allow_origin(""));
  auto any = cors_policy::parse("*");
  BOOST_TEST(any.allow_origin("https://x.example").value_or("") == "*");
  BOOST_TEST(!cors_policy::parse("").enabled());
  BOOST_CHECK_THROW(cors_policy::parse("a.example"), std::invalid_argument);
  BOOST_CHECK_THROW(cors_policy::parse("https://a.example/app"),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_rate_limiter_lets_a_burst_then_one_per_interval) {
  rate_limiter off{0};
  auto t0 = rate_limiter::clock::now();
  BOOST_TEST(!off.take("a", t0));
  rate_limiter limit{10};
  for (int i = 0; i < 10; ++i)
    BOOST_TEST(!limit.take("a", t0), i);
  auto wait = limit.take("a", t0);
  BOOST_REQUIRE(wait);
  BOOST_TEST(wait->count() == 100);
  BOOST_TEST(!limit.take("b", t0)); // its own bucket
  BOOST_TEST(!limit.take("a", t0 + 100ms));
  BOOST_TEST(!!limit.take("a", t0 + 100ms));
  BOOST_TEST(!limit.take("a", t0 + 10s));
}

BOOST_AUTO_TEST_CASE(the_rate_limiter_forgets_idle_clients) {
  rate_limiter limit{1};
  auto t0 = rate_limiter::clock::now();
  for (int i = 0; i < 5000; ++i)
    limit.take("client " + std::to_string(i), t0 + std::chrono::seconds(i));
  // Each was full again a second after its request.
  BOOST_TEST(limit.tracked() < 2100u);
}

BOOST_AUTO_TEST_CASE(an_open_api_beyond_loopback_needs_allow_open) {
  BOOST_TEST(is_loopback("127.0.0.1"));
  BOOST_TEST(is_loopback("::1"));
  BOOST_TEST(is_loopback("localhost"));
  BOOST_TEST(!is_loopback("0.0.0.0"));
  BOOST_TEST(!is_loopback("10.0.0.7"));
  BOOST_CHECK_THROW(load_config({"--http-host=0.0.0.0"}, {}),
                    std::invalid_argument);
  BOOST_TEST(load_config({"--http-host=0.0.0.0", "--allow-open"}, {})
               .allow_open);
  BOOST_TEST(load_config({"--http-host=0.0.0.0", "--auth-tokens-file=t"}, {})
               .auth_tokens_file
             == "t");
  BOOST_CHECK_THROW(load_config({"--tls-cert=c.pem"}, {}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"--cors-origins=nope"}, {}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
