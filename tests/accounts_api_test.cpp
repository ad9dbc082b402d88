#include <future>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <simdjson.h>

#include "src/codec.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& s) {
  return p.parse(s);
}

int64_t create(httplib::Client& c, const std::string& name) {
  return create_account(c, name);
}

std::string error_of(const httplib::Result& res) {
  return error_code_of(res->body);
}

} // namespace

BOOST_AUTO_TEST_SUITE(accounts_api_test)

// The original app's manual script, done right, with assertions.
BOOST_AUTO_TEST_CASE(create_get_list_patch_delete_as_the_original_script) {
  deployment d;
  server s{d};
  auto c = s.client();
  simdjson::dom::parser p;

  auto res = c.Post("/accounts", R"({"name":"alice"})", "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 201);
  auto id = int64_t(parse(p, res->body)["id"]);
  BOOST_TEST(id > 0);
  BOOST_TEST(res->get_header_value("Location") == "/accounts/" + std::to_string(id));
  BOOST_TEST(int64_t(parse(p, res->body)["version"]) == 1);

  res = c.Get("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(std::string_view(parse(p, res->body)["name"]) == "alice");

  res = c.Get("/accounts");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(count_of(res->body, "\"alice\"") == 1u);

  res = c.Patch("/accounts/" + std::to_string(id), R"({"name":"alicia"})",
                "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(int64_t(parse(p, res->body)["version"]) == 2);
  BOOST_TEST(std::string_view(parse(p, res->body)["name"]) == "alicia");

  res = c.Delete("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 204);

  res = c.Get("/accounts/" + std::to_string(id));
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 404);
  BOOST_TEST(error_of(res) == "account_not_found");

  res = c.Get("/accounts");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->body == "[]");
}

BOOST_AUTO_TEST_CASE(put_creates_then_replaces_at_a_client_chosen_id) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto res = c.Put("/accounts/4242", R"({"name":"x"})", "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 201);
  res = c.Put("/accounts/4242", R"({"name":"y"})", "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 200);
  BOOST_TEST(res->body == R"({"id":4242,"name":"y","version":2})");
  // A server-assigned id is never one that exists.
  for (int i = 0; i < 5; ++i)
    BOOST_TEST(create(c, "n") != 4242);
}

BOOST_AUTO_TEST_CASE(list_pages_with_limit_and_after) {
  deployment d;
  server s{d};
  auto c = s.client();
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(create(c, "n" + std::to_string(i)));
  auto res = c.Get("/accounts?limit=2");
  BOOST_REQUIRE(res);
  BOOST_TEST(count_of(res->body, "\"id\"") == 2u);
  res = c.Get("/accounts?limit=10&after=" + std::to_string(ids[1]));
  BOOST_TEST(count_of(res->body, "\"id\"") == 3u);
  for (auto bad : {"/accounts?limit=0", "/accounts?limit=10001",
                   "/accounts?limit=x", "/accounts?after=-1",
                   "/accounts?colour=red"}) {
    res = c.Get(bad);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == 400, bad);
    BOOST_TEST(error_of(res) == "bad_query");
  }
}

BOOST_AUTO_TEST_CASE(if_match_conflicts_give_412_and_change_nothing) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = std::to_string(create(c, "a"));
  httplib::Headers stale{{"If-Match", "\"7\""}};
  auto res = c.Patch("/accounts/" + id, stale, R"({"name":"b"})",
                     "application/json");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->status == 412);
  BOOST_TEST(error_of(res) == "version_conflict");
  res = c.Delete("/accounts/" + id, stale);
  BOOST_TEST(res->status == 412);
  res = c.Get("/accounts/" + id);
  BOOST_TEST(res->body == "{\"id\":" + id + ",\"name\":\"a\",\"version\":1}");
  httplib::Headers current{{"If-Match", "\"1\""}};
  res = c.Patch("/accounts/" + id, current, R"({"name":"b"})",
                "application/json");
  BOOST_TEST(res->status == 200);
  BOOST_TEST(res->get_header_value("ETag") == "\"2\"");
  res = c.Patch("/accounts/" + id, {{"If-Match", "garbage"}}, R"({"name":"c"})",
                "application/json");
  BOOST_TEST(res->status == 400);
}

BOOST_AUTO_TEST_CASE(concurrent_patches_with_one_version_cannot_both_win) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = std::to_string(create(c, "a"));
  std::vector<std::future<int>> results;
  for (int i = 0; i < 8; ++i)
    results.push_back(std::async(std::launch::async, [&, i] {
      auto cl = s.client();
      auto res = cl.Patch("/accounts/" + id, {{"If-Match", "\"1\""}},
                          "{\"name\":\"w" + std::to_string(i) + "\"}",
                          "application/json");
      return res ? res->status : 0;
    }));
  int won = 0;
  int lost = 0;
  for (auto& r : results) {
    auto status = r.get();
    won += status == 200;
    lost += status == 412;
  }
  BOOST_TEST(won == 1);
  BOOST_TEST(lost == 7);
  auto res = c.Get("/accounts/" + id);
  BOOST_TEST(count_of(res->body, "\"version\":2") == 1u);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_4xx_json_and_writes_nothing) {
  deployment d;
  server s{d};
  auto c = s.client();
  struct request {
    std::string method, path, body;
    int status;
    std::string code;
  };
  std::vector<request> requests{
    {"POST", "/accounts", "{", 400, "malformed_json"},
    {"POST", "/accounts", "not json", 400, "malformed_json"},
    {"POST", "/accounts", "[]", 400, "invalid_body"},
    {"POST", "/accounts", R"({"name":1})", 400, "invalid_body"},
    {"POST", "/accounts", R"({"name":"a","x":1})", 400, "invalid_body"},
    {"POST", "/accounts", R"({})", 400, "invalid_body"},
    {"POST", "/accounts", R"({"name":""})", 422, "invalid_name"},
    {"POST", "/accounts", "{\"name\":\"" + std::string(257, 'n') + "\"}", 422,
     "invalid_name"},
    {"POST", "/accounts", "{\"name\":\"a\\u0007\"}", 422, "invalid_name"},
    {"POST", "/accounts", "{\"name\":\"\xc3\x28\"}", 422, "invalid_name"},
    {"POST", "/accounts",
     "{\"name\":\"" + std::string(1024 * 1024 + 1, 'n') + "\"}", 413,
     "payload_too_large"},
    {"PUT", "/accounts/0", R"({"name":"a"})", 400, "invalid_id"},
    {"PUT", "/accounts/9007199254740992", R"({"name":"a"})", 400, "invalid_id"},
    {"PUT", "/accounts/abc", R"({"name":"a"})", 400, "invalid_id"},
    {"PATCH", "/accounts/5", R"({"name":"a"})", 404, "account_not_found"},
    {"DELETE", "/accounts/5", "", 404, "account_not_found"},
    {"GET", "/accounts/5", "", 404, "account_not_found"},
    {"GET", "/nowhere", "", 404, "route_not_found"},
    {"DELETE", "/accounts", "", 405, "method_not_allowed"},
    {"PUT", "/accounts/5/statistics", "{}", 405, "method_not_allowed"},
  };
  for (auto& r : requests) {
    httplib::Result res = r.method == "POST"
                            ? c.Post(r.path, r.body, "application/json")
                          : r.method == "PUT"
                            ? c.Put(r.path, r.body, "application/json")
                          : r.method == "PATCH"
                            ? c.Patch(r.path, r.body, "application/json")
                          : r.method == "DELETE" ? c.Delete(r.path)
                                                 : c.Get(r.path);
    BOOST_REQUIRE(res);
    BOOST_TEST(res->status == r.status, r.method << " " << r.path << " "
                                                  << r.body.substr(0, 40));
    BOOST_TEST(res->get_header_value("Content-Type") == "application/json");
    BOOST_TEST(error_of(res) == r.code, r.body.substr(0, 40));
  }
  BOOST_TEST(c.Get("/accounts")->body == "[]");
  BOOST_TEST(read_topic(d.accounts_topic).empty());
}

BOOST_AUTO_TEST_CASE(a_restart_restores_the_table_including_deletes) {
  deployment d;
  std::string kept, gone;
  {
    server s{d};
    auto c = s.client();
    kept = std::to_string(create(c, "kept"));
    gone = std::to_string(create(c, "gone"));
    c.Patch("/accounts/" + kept, R"({"name":"kept2"})", "application/json");
    BOOST_TEST(c.Delete("/accounts/" + gone)->status == 204);
    BOOST_TEST(s.stop() == 0);
  }
  server s{d};
  auto c = s.client();
  auto res = c.Get("/accounts/" + kept);
  BOOST_TEST(res->body
             == "{\"id\":" + kept + ",\"name\":\"kept2\",\"version\":2}");
  BOOST_TEST(c.Get("/accounts/" + gone)->status == 404);
  // Ids are never reused after a restart.
  auto next = create(c, "next");
  BOOST_TEST(next != std::stoll(kept));
  BOOST_TEST(next != std::stoll(gone));
}

BOOST_AUTO_TEST_CASE(delete_writes_a_tombstone_on_the_topic) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create(c, "doomed");
  BOOST_TEST(c.Delete("/accounts/" + std::to_string(id))->status == 204);
  auto records = read_topic(d.accounts_topic);
  BOOST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].key == encode_long_key(id));
  BOOST_TEST(records[0].value.value().find("\"name\":\"doomed\"")
             != std::string::npos);
  BOOST_TEST(records[1].key == encode_long_key(id));
  BOOST_TEST(!records[1].value.has_value());
  // Placed where the Java client places that key.
  BOOST_TEST(records[0].partition == partition_for(encode_long_key(id), 10));
}

BOOST_AUTO_TEST_CASE(records_of_the_original_app_are_served) {
  deployment d;
  // Written before the server starts, as the Kotlin app wrote them.
  {
    server s{d}; // creates the topics
  }
  produce(d.accounts_topic, encode_long_key(31), R"({"id":31,"name":"legacy"})");
  produce(d.accounts_topic, encode_long_key(32), "this is not json");
  produce(d.accounts_topic, "short", R"({"id":33,"name":"bad key"})");
  server s{d};
  auto c = s.client();
  auto res = c.Get("/accounts/31");
  BOOST_REQUIRE(res);
  BOOST_TEST(res->body == R"({"id":31,"name":"legacy","version":1})");
  BOOST_TEST(c.Get("/accounts/32")->status == 404);
  auto metrics = c.Get("/metrics")->body;
  BOOST_TEST(metrics.find("logbase_undecodable_records_total{topic=\"accounts\"} 1")
             != std::string::npos, metrics);
  BOOST_TEST(metrics.find("logbase_poison_records_total{reason=\"bad_key\","
                          "topic=\"accounts\"} 1")
               != std::string::npos, metrics);
  // A record written while the server runs is picked up too.
  produce(d.accounts_topic, encode_long_key(34), R"({"id":34,"name":"live"})");
  bool seen = wait_until(
    [&] { return c.Get("/accounts/34")->status == 200; }, 5s);
  BOOST_TEST(seen);
}

BOOST_AUTO_TEST_CASE(ids_stay_unique_when_two_servers_create_at_once) {
  // Two app ids on one accounts topic (whose id space they share): each
  // owns every account for itself. (Two nodes of one app id would share
  // the accounts, and could create only their own.)
  deployment d;
  deployment other = d;
  other.app_id = unique_name("app");
  server a{d, {"--node-name=a"}};
  server b{other, {"--node-name=b"}};
  auto create_many = [](server& s) {
    std::vector<int64_t> ids;
    auto c = s.client();
    for (int i = 0; i < 60; ++i)
      ids.push_back(create(c, "n"));
    return ids;
  };
  auto fa = std::async(std::launch::async, create_many, std::ref(a));
  auto fb = std::async(std::launch::async, create_many, std::ref(b));
  auto ia = fa.get();
  auto ib = fb.get();
  std::set<int64_t> all(ia.begin(), ia.end());
  all.insert(ib.begin(), ib.end());
  BOOST_TEST(all.size() == 120u);
  // Each server drew from its own block.
  BOOST_TEST((ia.front() - 1) / 1000 != (ib.front() - 1) / 1000);
}

BOOST_AUTO_TEST_CASE(ready_reports_restore_progress_until_restored) {
  deployment d;
  {
    server s{d};
  }
  // Enough records that the restore takes a moment.
  std::vector<std::pair<std::string, std::string>> records;
  for (int64_t id = 1; id <= 3000; ++id)
    records.emplace_back(encode_long_key(id),
                         "{\"id\":" + std::to_string(id) + ",\"name\":\"n\"}");
  produce_many(d.accounts_topic, records);
  server s{d, {}, false};
  simdjson::dom::parser p;
  bool ready = false;
  int not_ready = 0;          // 503s, each with its progress
  int64_t last_restored = -1; // progress only grows
  for (int i = 0; i < 3000 && !ready; ++i) {
    auto c = s.client();
    c.set_connection_timeout(0, 100'000);
    auto res = c.Get("/ready");
    if (!res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    // The events partitions still being restored are listed too.
    BOOST_TEST(res->body.find("\"restoring\":[") != std::string::npos,
               res->body);
    auto doc = parse(p, res->body);
    auto restored = int64_t(doc["restored"]);
    auto total = int64_t(doc["total"]);
    BOOST_TEST(restored >= last_restored, res->body);
    last_restored = restored;
    if (res->status == 503) {
      ++not_ready;
      BOOST_TEST(res->has_header("Retry-After"));
      BOOST_TEST(restored < total);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } else {
      BOOST_TEST(res->status == 200);
      BOOST_TEST(restored == total);
      ready = true;
    }
  }
  BOOST_TEST(ready);
  // What the test is for: progress was reported before the 200. The first
  // answer comes as soon as HTTP listens, before the consumer group's first
  // assignment (one part still to restore until then) and the table's
  // reading of 3000 records.
  BOOST_TEST(not_ready >= 1);
  BOOST_TEST_MESSAGE(not_ready << " answers of progress before the 200");
  BOOST_TEST(s.client().Get("/accounts/3000")->status == 200);
  BOOST_TEST(count_of(s.client().Get("/accounts?limit=10000")->body, "\"id\"")
             == 3000u);
}

BOOST_AUTO_TEST_SUITE_END()
