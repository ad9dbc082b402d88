// Hosted Kafka (issue #11): the broker's second listener asks for SASL_SSL
// (SCRAM-SHA-512 over TLS with a certificate from a throw-away CA, a user
// made with Kafka's own kafka-configs tool), and logbase reaches it with
// kafka.* settings only, from the config file the README shows: the
// accounts, events and statistics round trip works through it, and a wrong
// password stops the server with the broker's reason instead of hanging.

#include <chrono>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "own_broker.hpp"
#include "pki.hpp"
#include "support.hpp"

using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// The broker's certificate (valid for 127.0.0.1 and localhost: librdkafka
/// checks the name by default) and the SASL_SSL listener that uses it.
own_broker::listener sasl_ssl_listener(pki& keys) {
  keys.node("broker", "IP:127.0.0.1,DNS:localhost");
  // Kafka reads a PEM key store: the key (PKCS#8, unencrypted) and the
  // certificate in one file.
  keys.bundle("broker-keystore.pem", {"broker.key", "broker.pem"});
  return {"SASL_SSL",
          "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512\n"
          "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
          "org.apache.kafka.common.security.scram.ScramLoginModule required;\n"
          "listener.name.sasl_ssl.ssl.keystore.type=PEM\n"
          "listener.name.sasl_ssl.ssl.keystore.location="
            + keys.path("broker-keystore.pem") + "\n"};
}

/// One broker for the suite (a start costs seconds): PLAINTEXT for the
/// broker's own tools, SASL_SSL for logbase; the user `logbase` with a
/// password made for this run; logbase's config file for it.
struct sasl_broker {
  static inline sasl_broker* the = nullptr;

  pki keys;
  own_broker broker{"127.0.0.1", sasl_ssl_listener(keys)};
  std::string password = unique_name("scram");
  std::string config = keys.path("logbase.conf");

  sasl_broker() {
    // kafka-configs, through the PLAINTEXT listener: the broker keeps the
    // SCRAM credential in its KRaft metadata.
    BOOST_REQUIRE(
      broker.run("class kafka.admin.ConfigCommand --bootstrap-server "
                 + broker.address() + " --alter --entity-type users"
                 " --entity-name logbase --add-config 'SCRAM-SHA-512="
                 "[password=" + password + "]'")
      == 0);
    std::ofstream{config}
      << "bootstrap-servers = " << broker.second_address() << "\n"
      << "kafka.security.protocol = SASL_SSL\n"
         "kafka.sasl.mechanisms = SCRAM-SHA-512\n"
         "kafka.sasl.username = logbase\n"
         "kafka.sasl.password = " << password << "\n"
      << "kafka.ssl.ca.location = " << keys.path("ca.pem") << "\n";
    the = this;
  }
  ~sasl_broker() {
    the = nullptr;
  }

  /// A deployment of its own on this broker's SASL_SSL listener (the
  /// test support passes bootstrap-servers as a flag too: the same).
  deployment on_sasl_ssl() const {
    deployment d;
    d.bootstrap_servers = broker.second_address();
    return d;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sasl_test, *boost::unit_test::fixture<sasl_broker>())

BOOST_AUTO_TEST_CASE(accounts_events_and_statistics_go_through_sasl_ssl) {
  auto& b = *sasl_broker::the;
  auto log = b.keys.path("round-trip.log");
  server s{b.on_sasl_ssl(), {"--config=" + b.config, "--log-level=info"},
           false, 0, log};
  BOOST_REQUIRE_MESSAGE(s.wait_ready(30s), read_file(log));
  auto c = s.client();
  auto id = create_account(c, "hosted");
  auto path = "/accounts/" + std::to_string(id);
  BOOST_TEST(get_ok(c, path).find("\"hosted\"") != std::string::npos);
  BOOST_TEST(post_events(c, id, R"([{"type":"sasl"},{"type":"sasl"}])")
             == 201);
  BOOST_TEST(count_of(get_ok(c, path + "/events"), "\"sasl\"") == 2u);
  BOOST_TEST(sum_of_counts(get_ok(c, path + "/statistics")) == 2);
  BOOST_TEST(s.stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_wrong_password_stops_the_server_with_the_reason) {
  auto& b = *sasl_broker::the;
  auto log = b.keys.path("wrong-password.log");
  // Flags win over the file: the same settings but the password.
  server s{b.on_sasl_ssl(),
           {"--config=" + b.config, "--kafka.sasl.password=not-" + b.password},
           false, 0, log};
  // It gives up as soon as the broker refuses the credentials, and never
  // serves. "As soon as" is told by the reason it gives, not a stopwatch:
  // one that waited out its 15 s metadata timeout says it could not read
  // the metadata (a wall-clock bound below 15 s flaked under load).
  BOOST_TEST(wait_until([&] { return !s.running(); }, 30s));
  BOOST_TEST(s.exit_status() == 1);
  auto text = read_file(log);
  BOOST_TEST(count_of(text, "cannot read Kafka metadata") == 0u, text);
  // librdkafka's line, and logbase's own, which names the credentials.
  BOOST_TEST(count_of(text, "SASL authentication error: Authentication "
                            "failed during authentication due to invalid "
                            "credentials with SASL mechanism SCRAM-SHA-512")
               >= 1u,
             text);
  BOOST_TEST(count_of(text, "cannot start: Kafka refused the credentials")
               == 1u,
             text);
}

BOOST_AUTO_TEST_SUITE_END()
