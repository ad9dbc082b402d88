#define BOOST_TEST_MODULE logbase_kafka
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <caf/all.hpp>

#include "src/codec.hpp"
#include "src/config.hpp"
#include "src/record_checks.hpp"
#include "src/time.hpp"
#include "src/json.hpp"
#include "messages/interfaces.hpp"
#include "kafka/kafka_admin.hpp"
#include "kafka/kafka_bridge.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

config test_config() {
  config cfg;
  cfg.bootstrap_servers = bootstrap();
  cfg.app_id = unique_name("app");
  cfg.accounts_topic = unique_name("accounts");
  cfg.events_topic = unique_name("events");
  return cfg;
}

/// A bridge on fresh topics, and a blocking actor to talk to it.
struct bridge_fixture {
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  config cfg = test_config();
  topic_layout layout = ensure_topics(cfg);
  kafka_bridge_actor bridge;
  std::unique_ptr<caf::scoped_actor> self;

  bridge_fixture() {
    register_message_types(sys_cfg);
    sys = std::make_unique<caf::actor_system>(sys_cfg);
    bridge = spawn_kafka_bridge(*sys, cfg, layout);
    self = std::make_unique<caf::scoped_actor>(*sys);
  }

  /// The test's own actor reads all four events partitions from the start.
  void subscribe_to_events() {
    (*self)->send(bridge, subscribe_atom::value,
                  all_partitions(topic::events, 4),
                  caf::actor_cast<record_sink_actor>(self->ptr()));
  }

  ~bridge_fixture() {
    (*self)->send_exit(bridge, caf::exit_reason::user_shutdown);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(kafka_bridge_test)

// SPEC §2 and the README's Kafka layout, written out here rather than taken
// from logbase's topic_specs (a test that reads its expectations from the
// code under test agrees with any mistake in it). The broker is asked with
// the test's own client, after the real server created the topics.
BOOST_AUTO_TEST_CASE(topics_are_created_with_the_contract_settings) {
  struct expected {
    std::string name;
    int partitions;
    std::map<std::string, std::string> configs;
  };
  deployment d;
  const std::vector<expected> contract{
    {d.accounts_topic, 10, {{"cleanup.policy", "compact"}}},
    {d.events_topic, 4,
     {{"cleanup.policy", "delete"},
      {"retention.ms", std::to_string(30LL * 24 * 3600 * 1000)},
      // Record time is happenedAt, so retention runs on event time.
      {"message.timestamp.type", "CreateTime"}}},
    // Co-partitioned with events; compact only: statistics never expire.
    {d.changelog_topic(), 4, {{"cleanup.policy", "compact"}}},
    {d.id_blocks_topic(), 1, {{"cleanup.policy", "compact"}}},
    {d.app_id + ".members", 1, {{"cleanup.policy", "compact"}}},
  };
  auto check = [&](const char* when) {
    for (auto& e : contract) {
      auto t = describe_topic(e.name);
      BOOST_TEST(t.partitions == e.partitions, when << ": " << e.name);
      for (auto& [key, value] : e.configs) {
        BOOST_TEST(t.configs[key] == value, when << ": " << e.name << " " << key
                                                 << "=" << t.configs[key]);
        // On the topic itself, not a broker default that happens to match
        // (another broker's default may not).
        BOOST_TEST(t.set_on_topic.count(key) == 1u,
                   when << ": " << e.name << " " << key << " not set on the topic");
      }
    }
  };
  {
    server s{d};
    check("created");
    BOOST_TEST(s.stop() == 0);
  }
  // A second start finds them as they should be and leaves them so.
  server again{d};
  check("after a restart");
}

BOOST_AUTO_TEST_CASE(a_contradicting_topic_refuses_to_start) {
  auto cfg = test_config();
  create_topic(cfg.accounts_topic, 3, {{"cleanup.policy", "delete"}});
  try {
    ensure_topics(cfg);
    BOOST_FAIL("ensure_topics accepted a non-compacted accounts topic");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    BOOST_TEST(what.find(cfg.accounts_topic) != std::string::npos, what);
    BOOST_TEST(what.find("compact") != std::string::npos, what);
  }
  auto other = test_config();
  create_topic(other.events_topic, 4,
               {{"cleanup.policy", "delete"}, {"retention.ms", "1000"}});
  BOOST_CHECK_THROW(ensure_topics(other), std::runtime_error);
  // The server says so, naming the topic and the setting, and exits with
  // status 1 (not a crash, not some other refusal such as a bad flag).
  deployment d;
  d.accounts_topic = cfg.accounts_topic;
  auto log = (std::filesystem::temp_directory_path()
              / (unique_name("contradiction") + ".log")).string();
  server s{d, {}, false, 0, log};
  BOOST_REQUIRE(wait_until([&] { return !s.running(); }, std::chrono::seconds(30)));
  BOOST_TEST(s.exit_status() == 1);
  auto text = read_file(log);
  std::filesystem::remove(log);
  BOOST_TEST(count_of(text, "cannot start: topic " + cfg.accounts_topic
                              + " has cleanup.policy=delete but must be "
                                "compact only")
               == 1u,
             text);
}

BOOST_FIXTURE_TEST_CASE(records_produced_through_the_bridge_come_back, bridge_fixture) {
  std::vector<out_record> records;
  for (int64_t id = 1; id <= 50; ++id) {
    records.push_back(out_record{id_of(topic::events), -1, encode_long_key(id),
                                 "value-" + std::to_string(id), false, 0, {}, {}});
    if (id % 2 == 1) // headers travel with the records that have them
      records.back().headers = {{"h", "header-" + std::to_string(id)},
                                {"empty", ""}};
  }
  std::vector<delivery> deliveries;
  (*self)->request(bridge, std::chrono::seconds(30), produce_atom::value, records)
    .receive([&](std::vector<delivery>& ds) { deliveries = std::move(ds); },
             [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  BOOST_REQUIRE(deliveries.size() == 50u);
  for (int64_t id = 1; id <= 50; ++id)
    // Placed as the Java client places the key (murmur2).
    BOOST_TEST(deliveries[id - 1].partition
               == partition_for(encode_long_key(id), 4));

  // The ends, asked of the broker (nothing reads the topic yet), count them.
  std::vector<int64_t> ends;
  (*self)->request(bridge, std::chrono::seconds(30), ends_atom::value,
                   id_of(topic::events))
    .receive([&](std::vector<int64_t>& es) { ends = std::move(es); },
             [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  BOOST_REQUIRE(ends.size() == 4u);
  BOOST_TEST(ends[0] + ends[1] + ends[2] + ends[3] == 50);
  int64_t end_of_first = -1;
  (*self)->request(bridge, std::chrono::seconds(30), watermark_atom::value,
                   id_of(topic::events), deliveries[0].partition)
    .receive([&](int64_t end) { end_of_first = end; },
             [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  BOOST_TEST(end_of_first == ends[deliveries[0].partition]);

  subscribe_to_events();
  std::vector<in_record> got;
  std::set<int32_t> ended;
  bool timed_out = false;
  while (!timed_out && (got.size() < 50 || ended.size() < 4)) {
    (*self)->receive(
      [&](records_atom, record_batch& b) {
        for (auto& r : b.records)
          got.push_back(std::move(r));
        for (auto& e : b.reached_end)
          ended.insert(e.partition);
      },
      caf::after(std::chrono::seconds(20)) >> [&] { timed_out = true; });
  }
  BOOST_REQUIRE(got.size() == 50u);
  for (auto& r : got) {
    auto id = decode_long_key(r.key).value();
    BOOST_TEST(r.value == "value-" + std::to_string(id));
    BOOST_TEST(r.partition == partition_for(r.key, 4));
    if (id % 2 == 0) {
      BOOST_TEST(r.headers.empty());
      continue;
    }
    BOOST_REQUIRE(r.headers.size() == 2u);
    BOOST_TEST(r.headers[0].name == "h");
    BOOST_TEST(r.headers[0].value == "header-" + std::to_string(id));
    BOOST_TEST(r.headers[1].name == "empty");
    BOOST_TEST(r.headers[1].value.empty());
  }
}

// A batch POST's events reach the event log and the statistics from their
// delivery reports as the writer had them (out_record::known_event), not
// copied back and decoded again; a record without one is decoded.
BOOST_FIXTURE_TEST_CASE(delivered_events_are_handed_on_as_written,
                        bridge_fixture) {
  subscribe_to_events();
  std::set<int32_t> ended;
  bool timed_out = false;
  while (!timed_out && ended.size() < 4) // read to the (empty) end first
    (*self)->receive(
      [&](records_atom, record_batch& b) {
        for (auto& e : b.reached_end)
          ended.insert(e.partition);
      },
      caf::after(std::chrono::seconds(20)) >> [&] { timed_out = true; });
  BOOST_REQUIRE(ended.size() == 4u);

  std::vector<out_record> records;
  std::map<int64_t, event> written;
  auto now = now_ns();
  for (int64_t id = 1; id <= 40; ++id) {
    event e{id, "type-" + std::to_string(id % 3), now - id * 1'000'003, -1};
    written[id] = e;
    out_record r{id_of(topic::events), -1, encode_long_key(id),
                 event_record_value(e), false, 0, {}, {}};
    if (id != 7) // one record as another writer would send it: decoded
      r.known_event = e;
    records.push_back(std::move(r));
  }
  (*self)->request(bridge, std::chrono::seconds(30), produce_atom::value, records)
    .receive([](std::vector<delivery>& ds) { BOOST_TEST(ds.size() == 40u); },
             [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  std::map<int64_t, event> got;
  size_t handed_on = 0; // came from the delivery reports, the value unread
  while (!timed_out && got.size() < 40)
    (*self)->receive(
      [&](records_atom, record_batch& b) {
        BOOST_REQUIRE(b.events.size() == b.records.size());
        for (size_t i = 0; i < b.records.size(); ++i) {
          if (b.records[i].value.empty())
            ++handed_on;
          auto checked = event_at(b, i, 4);
          BOOST_REQUIRE_MESSAGE(
            std::holds_alternative<event>(checked),
            "record " << i << " of " << b.records.size() << " not read: fault "
              << (std::holds_alternative<event>(checked)
                    ? -1
                    : static_cast<int>(std::get<record_fault>(checked))));
          auto& e = std::get<event>(checked);
          got[e.account_id] = e;
        }
      },
      caf::after(std::chrono::seconds(20)) >> [&] { timed_out = true; });
  BOOST_REQUIRE(got.size() == 40u);
  BOOST_TEST_MESSAGE(handed_on << " of 40 handed on as written");
  for (auto& [id, e] : written) {
    BOOST_TEST(got[id].type == e.type);
    BOOST_TEST(got[id].happened_at_ns == e.happened_at_ns);
    BOOST_TEST(got[id].account_id == id);
  }
}

BOOST_FIXTURE_TEST_CASE(transactions_commit_records_together, bridge_fixture) {
  std::vector<out_record> records;
  for (int32_t p = 0; p < 4; ++p)
    records.push_back(out_record{id_of(topic::stats_changelog), p, "k",
                                 "v" + std::to_string(p), false, 0, {}, {}});
  bool committed = false;
  (*self)->request(bridge, std::chrono::seconds(30), commit_atom::value, records)
    .receive([&](ok_atom) { committed = true; },
             [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
  BOOST_TEST(committed);
  auto read = read_topic(cfg.topic_name(topic::stats_changelog));
  BOOST_TEST(read.size() == 4u);
}

// A feed rests a partition it follows for a moment after each fetch that
// brought something (librdkafka's pause). A partition released while it
// rests and taken again later must be read again: librdkafka keeps an
// application's pause across unassign and assign, so a feed that forgot it
// left the partition silent forever (a store then restored it for good).
BOOST_FIXTURE_TEST_CASE(a_partition_released_while_resting_is_read_again,
                        bridge_fixture) {
  auto sink = caf::actor_cast<record_sink_actor>(self->ptr());
  auto write = [&](const std::string& value) {
    int64_t offset = -1;
    (*self)->request(bridge, std::chrono::seconds(30), produce_atom::value,
                     std::vector<out_record>{out_record{
                       id_of(topic::events), 0, "k", value, false, 0, {}, {}}})
      .receive([&](std::vector<delivery>& ds) { offset = ds.at(0).offset; },
               [&](caf::error& err) { BOOST_FAIL(caf::to_string(err)); });
    return offset;
  };
  /// Whether `value` comes within 15 s.
  auto comes = [&](const std::string& value) {
    bool seen = false;
    bool timed_out = false;
    while (!seen && !timed_out)
      (*self)->receive(
        [&](records_atom, record_batch& b) {
          for (auto& r : b.records)
            seen = seen || r.value == value;
        },
        caf::after(std::chrono::seconds(15)) >> [&] { timed_out = true; });
    return seen;
  };
  write("first");
  (*self)->send(bridge, subscribe_atom::value,
                std::vector<assignment>{assignment{id_of(topic::events), 0, -2}},
                sink);
  BOOST_REQUIRE(comes("first"));
  // Each round writes, waits a little (the feed fetches the write back and
  // rests the partition), releases, writes while released, and takes the
  // partition again from there.
  for (int round = 0; round < 8; ++round) {
    auto tag = std::to_string(round);
    write("before-" + tag);
    BOOST_REQUIRE(comes("before-" + tag));
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + 10 * round));
    (*self)->send(bridge, release_atom::value,
                  std::vector<assignment>{assignment{id_of(topic::events), 0,
                                                     -1}},
                  sink);
    auto from = write("while-released-" + tag);
    (*self)->send(bridge, subscribe_atom::value,
                  std::vector<assignment>{
                    assignment{id_of(topic::events), 0, from}},
                  sink);
    BOOST_REQUIRE_MESSAGE(comes("while-released-" + tag),
                          "round " << round << ": the partition taken again "
                          "at " << from << " stays silent");
  }
}

BOOST_AUTO_TEST_CASE(a_subscribe_that_cannot_be_served_tells_the_subscriber) {
  caf::actor_system_config sys_cfg;
  register_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  auto cfg = test_config();
  auto layout = ensure_topics(cfg);
  // Settings a producer takes and a consumer refuses.
  cfg.kafka["message.max.bytes"] = "2000";
  cfg.kafka["fetch.max.bytes"] = "1000";
  auto bridge = spawn_kafka_bridge(sys, cfg, layout);
  caf::scoped_actor self{sys};
  self->send(bridge, subscribe_atom::value, all_partitions(topic::events, 4),
             caf::actor_cast<record_sink_actor>(self.ptr()));
  std::string why;
  self->receive([&](error_atom, std::string& w) { why = std::move(w); },
                [&](records_atom, record_batch&) {
                  BOOST_FAIL("records from a consumer that cannot exist");
                },
                caf::after(std::chrono::seconds(30)) >> [] {});
  BOOST_TEST(why.find("fetch.max.bytes") != std::string::npos, why);
  self->send_exit(bridge, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
