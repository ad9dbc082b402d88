#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "src/config.hpp"

using namespace logbase;

BOOST_AUTO_TEST_SUITE(config_test)

BOOST_AUTO_TEST_CASE(defaults_match_the_contract) {
  auto cfg = load_config({}, {});
  BOOST_TEST(cfg.http_port == 8080);
  BOOST_TEST(cfg.app_id == "logbase");
  BOOST_TEST(cfg.topic_name(topic::accounts) == "accounts");
  BOOST_TEST(cfg.topic_name(topic::events) == "events");
  BOOST_TEST(cfg.topic_name(topic::stats_changelog)
             == "logbase-daily_stats_windowed-changelog");
  BOOST_TEST(cfg.events_retention_ms == 30LL * 24 * 3600 * 1000);
  BOOST_TEST(cfg.idempotency_window_seconds == 86400);
}

BOOST_AUTO_TEST_CASE(the_idempotency_window_is_a_setting) {
  BOOST_TEST(load_config({"--idempotency-window-seconds=60"}, {})
               .idempotency_window_seconds
             == 60);
  BOOST_TEST(load_config({}, {{"LOGBASE_IDEMPOTENCY_WINDOW_SECONDS", "5"}})
               .idempotency_window_seconds
             == 5);
  BOOST_CHECK_THROW(load_config({"--idempotency-window-seconds=0"}, {}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(flags_beat_environment_beat_file) {
  // In the temporary folder, never in the folder the suite runs from.
  auto path = (std::filesystem::temp_directory_path()
               / ("logbase-config-test-" + std::to_string(::getpid()) + ".ini"))
                .string();
  {
    std::ofstream f{path};
    f << "# a comment\napp-id = from-file\nhttp-port = 1111\nevents-topic = ev\n";
  }
  auto cfg = load_config({"--config=" + path, "--http-port=3333"},
                         {{"LOGBASE_HTTP_PORT", "2222"},
                          {"LOGBASE_APP_ID", "from-env"},
                          {"LOGBASE_KAFKA_SASL_USERNAME", "u"},
                          {"HOME", "/"}});
  BOOST_TEST(cfg.http_port == 3333);
  BOOST_TEST(cfg.app_id == "from-env");
  BOOST_TEST(cfg.events_topic == "ev");
  BOOST_TEST(cfg.kafka.at("sasl.username") == "u");
  BOOST_TEST(cfg.topic_name(topic::stats_changelog)
             == "from-env-daily_stats_windowed-changelog");
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(kafka_settings_pass_through) {
  auto cfg = load_config({"--kafka.security.protocol=SASL_SSL",
                          "--kafka.linger.ms=5"},
                         {});
  BOOST_TEST(cfg.kafka.at("security.protocol") == "SASL_SSL");
  BOOST_TEST(cfg.kafka.at("linger.ms") == "5");
}

BOOST_AUTO_TEST_CASE(mistakes_are_refused_with_a_message) {
  BOOST_CHECK_THROW(load_config({"--no-such-key=1"}, {}), std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"--http-port=70000"}, {}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"--http-port=abc"}, {}), std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"positional"}, {}), std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"--config=/nonexistent/file"}, {}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(load_config({}, {{"LOGBASE_BOGUS", "1"}}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_id_space_belongs_to_the_accounts_topic) {
  auto a = load_config({"--app-id=one"}, {});
  auto b = load_config({"--app-id=two"}, {});
  BOOST_TEST(a.topic_name(topic::id_blocks) == b.topic_name(topic::id_blocks));
  auto c = load_config({"--accounts-topic=other"}, {});
  BOOST_TEST(c.topic_name(topic::id_blocks) != a.topic_name(topic::id_blocks));
}

BOOST_AUTO_TEST_CASE(standbys_follow_the_owner_in_name_order) {
  ownership_map map;
  map.apply("a", member_record{"a", "h:1", {0, 3}, 1}, 1);
  map.apply("b", member_record{"b", "h:2", {1}, 1}, 2);
  map.apply("c", member_record{"c", "h:3", {2}, 1}, 3);
  // One replica: the next node by name keeps the copy, wrapping around.
  BOOST_TEST((standby_partitions(map, "b", 4, 1) == std::set<int32_t>{0, 3}));
  BOOST_TEST((standby_partitions(map, "c", 4, 1) == std::set<int32_t>{1}));
  BOOST_TEST((standby_partitions(map, "a", 4, 1) == std::set<int32_t>{2}));
  // Two: every other node; more than there are others changes nothing.
  BOOST_TEST((standby_partitions(map, "a", 4, 2) == std::set<int32_t>{1, 2}));
  BOOST_TEST(standby_partitions(map, "a", 4, 5)
             == standby_partitions(map, "a", 4, 2));
  BOOST_TEST(standby_partitions(map, "a", 4, 0).empty());
  // c is killed and b takes 2: c's record stays but owns nothing, so a
  // (after b, wrapping) keeps b's copies, not the dead c.
  map.apply("b", member_record{"b", "h:2", {1, 2}, 2}, 4);
  BOOST_TEST((standby_partitions(map, "a", 4, 1) == std::set<int32_t>{1, 2}));
  BOOST_TEST((standby_partitions(map, "b", 4, 1) == std::set<int32_t>{0, 3}));
  // A partition nobody claims has no standby.
  map.apply("c", std::nullopt, 5);
  map.apply("b", member_record{"b", "h:2", {1}, 3}, 6);
  BOOST_TEST((standby_partitions(map, "a", 4, 1) == std::set<int32_t>{1}));
}

// -- the node settings of a cluster ------------------------------------------

BOOST_AUTO_TEST_CASE(a_node_address_is_host_and_port) {
  auto a = parse_node_address("10.0.0.2:4001");
  BOOST_TEST(a.host == "10.0.0.2");
  BOOST_TEST(a.port == 4001);
  BOOST_TEST(parse_node_address("[::1]:4002").host == "[::1]");
  for (auto bad : {"a", "a:", ":1", "a:0", "a:70000", "a:1,b:2"})
    BOOST_CHECK_THROW(parse_node_address(bad), std::invalid_argument);
  auto cfg = load_config({"--node-address=10.0.0.2:4000"}, {});
  BOOST_TEST(cfg.linked());
  BOOST_TEST(!load_config({}, {}).linked());
}

BOOST_AUTO_TEST_CASE(the_fixed_node_list_is_refused_with_its_replacement) {
  for (auto arg : {"--nodes=a:1,b:2", "--node-index=1"}) {
    try {
      load_config({arg}, {});
      BOOST_FAIL("accepted " << arg);
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string{e.what()}.find("--node-address") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_node_is_named_by_its_host_and_port_unless_named) {
  auto named = load_config({"--node-name=east-1"}, {});
  BOOST_TEST(named.name_of_node() == "east-1");
  auto unnamed = load_config({"--http-port=8181"}, {});
  auto name = unnamed.name_of_node();
  BOOST_TEST(name.size() > 5u);
  BOOST_TEST(name.substr(name.size() - 5) == "-8181");
  BOOST_TEST(load_config({"--http-port=8181"}, {}).name_of_node() == name);
}

BOOST_AUTO_TEST_CASE(node_tls_takes_all_three_files_or_none) {
  BOOST_TEST(!load_config({"--node-address=a:1"}, {}).node_tls());
  auto cfg = load_config({"--node-tls-ca=ca.pem", "--node-tls-cert=n.pem"},
                         {{"LOGBASE_NODE_TLS_KEY", "n.key"}});
  BOOST_TEST(cfg.node_tls());
  BOOST_TEST(cfg.node_tls_ca == "ca.pem");
  BOOST_TEST(cfg.node_tls_cert == "n.pem");
  BOOST_TEST(cfg.node_tls_key == "n.key");
  // Half a set-up would quietly mean plain links.
  for (auto args : std::vector<std::vector<std::string>>{
         {"--node-tls-ca=ca.pem"},
         {"--node-tls-cert=n.pem", "--node-tls-key=n.key"},
         {"--node-tls-ca=ca.pem", "--node-tls-cert=n.pem",
          "--node-tls-key="}})
    BOOST_CHECK_THROW(load_config(args, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(member_records_round_trip_and_refuse_nonsense) {
  member_record m{"node \"a\"", "10.0.0.2:4000", {0, 3}, 7};
  auto back = decode_member(encode_member(m));
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->node == m.node);
  BOOST_TEST(back->address == m.address);
  BOOST_TEST(back->partitions == m.partitions);
  BOOST_TEST(back->epoch == 7);
  for (auto bad :
       {"", "{", "[]", R"({"address":"","partitions":[],"epoch":1})",
        R"({"node":"","address":"","partitions":[],"epoch":1})",
        R"({"node":"a","address":"","partitions":[-1],"epoch":1})",
        R"({"node":"a","address":"","partitions":["0"],"epoch":1})",
        R"({"node":"a","address":"","partitions":[0]})"})
    BOOST_TEST(!decode_member(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(the_latest_claim_of_a_partition_owns_it) {
  ownership_map map;
  BOOST_TEST(map.owner_of(0) == "");
  map.apply("a", member_record{"a", "h:1", {0, 1, 2, 3}, 1}, 10);
  BOOST_TEST(map.owner_of(2) == "a");
  // b joins: a gives up 2 and 3 first, then b claims them.
  map.apply("a", member_record{"a", "h:1", {0, 1}, 2}, 11);
  BOOST_TEST(map.owner_of(2) == "");
  map.apply("b", member_record{"b", "h:2", {2, 3}, 1}, 12);
  BOOST_TEST(map.owner_of(2) == "b");
  BOOST_TEST(map.owner_of(0) == "a");
  // a dies without a word; the group gives its partitions to b, whose
  // later claim wins over a's stale record.
  map.apply("b", member_record{"b", "h:2", {0, 1, 2, 3}, 2}, 13);
  for (int32_t p = 0; p < 4; ++p)
    BOOST_TEST(map.owner_of(p) == "b");
  BOOST_TEST(map.member("a") != nullptr);
  // a comes back under its name and is given 0 again.
  map.apply("b", member_record{"b", "h:2", {1, 2, 3}, 3}, 14);
  map.apply("a", member_record{"a", "h:1", {0}, 1}, 15);
  BOOST_TEST(map.owner_of(0) == "a");
  BOOST_TEST(map.owner_of(1) == "b");
  // A tombstone: the node left.
  map.apply("a", std::nullopt, 16);
  BOOST_TEST(map.member("a") == nullptr);
  BOOST_TEST(map.owner_of(0) == "");
  BOOST_TEST(map.nodes() == std::vector<std::string>{"b"});
}

BOOST_AUTO_TEST_SUITE_END()
