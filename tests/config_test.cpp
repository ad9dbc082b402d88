#include <fstream>

#include <boost/test/unit_test.hpp>

#include "config.hpp"

using namespace logbase;

BOOST_AUTO_TEST_SUITE(config_loading)

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
  auto path = std::string{"config_test.ini"};
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

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cluster)

BOOST_AUTO_TEST_CASE(nodes_parse_as_host_port_lists) {
  auto nodes = parse_nodes("a:4000,10.0.0.2:4001,[::1]:4002");
  BOOST_REQUIRE(nodes.size() == 3u);
  BOOST_TEST(nodes[0].host == "a");
  BOOST_TEST(nodes[1].port == 4001);
  BOOST_TEST(nodes[2].host == "[::1]");
  for (auto bad : {"a", "a:", ":1", "a:0", "a:70000", "a:1,b"})
    BOOST_CHECK_THROW(parse_nodes(bad), std::invalid_argument);
  BOOST_CHECK_THROW(load_config({"--nodes=a:1,b:2", "--node-index=2"}, {}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(node_tls_takes_all_three_files_or_none) {
  BOOST_TEST(!load_config({"--nodes=a:1,b:2"}, {}).node_tls());
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

BOOST_AUTO_TEST_CASE(each_partition_has_exactly_one_owner) {
  for (size_t n = 1; n <= 5; ++n) {
    std::vector<int> owners(16, 0);
    for (size_t i = 0; i < n; ++i)
      for (auto p : cluster_layout{n, i}.owned(16))
        ++owners[static_cast<size_t>(p)];
    for (auto count : owners)
      BOOST_TEST(count == 1);
  }
  BOOST_TEST(cluster_layout{}.single());
  BOOST_TEST(cluster_layout{}.owned(4).size() == 4u);
  auto cfg = load_config({"--nodes=a:1,b:2,c:3", "--node-index=1"}, {});
  BOOST_TEST(cfg.cluster().nodes() == 3u);
  BOOST_TEST(cfg.name_of_node() == "node-1");
}

BOOST_AUTO_TEST_SUITE_END()
