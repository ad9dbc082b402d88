#include <boost/test/unit_test.hpp>

#include "src/codec.hpp"
#include "src/json.hpp"
#include "src/metrics.hpp"
#include "src/record_checks.hpp"
#include "src/skipped_records.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

in_record event_record(int64_t key_id, const std::string& value,
                       int32_t partitions = 4) {
  in_record r;
  r.topic_id = id_of(topic::events);
  r.key = encode_long_key(key_id);
  r.partition = partition_for(r.key, partitions);
  r.value = value;
  return r;
}

std::string value_of(int64_t id, const std::string& type,
                     const std::string& happened_at = "1714557600.5") {
  return "{\"happenedAt\":" + happened_at + ",\"accountId\":"
         + std::to_string(id) + ",\"type\":\"" + type + "\"}";
}

/// The fault of a check, or nothing when it passed.
template <class T>
std::optional<record_fault> fault_of(const checked<T>& c) {
  if (auto* f = std::get_if<record_fault>(&c))
    return *f;
  return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_SUITE(record_checks_test)

BOOST_AUTO_TEST_CASE(events_the_api_could_have_written_pass) {
  auto c = check_event_record(event_record(7, value_of(7, "login")), 4);
  BOOST_REQUIRE(!fault_of(c).has_value());
  BOOST_TEST(std::get<event>(c).account_id == 7);
  BOOST_TEST(std::get<event>(c).type == "login");
}

BOOST_AUTO_TEST_CASE(events_that_make_no_sense_are_refused_with_a_reason) {
  auto fault = [](in_record r) { return fault_of(check_event_record(r, 4)); };
  BOOST_TEST((fault(event_record(7, value_of(7, std::string(10240, 't'))))
              == record_fault::bad_type));
  BOOST_TEST((fault(event_record(7, value_of(7, "a b"))) == record_fault::bad_type));
  BOOST_TEST((fault(event_record(7, value_of(7, "t", "7258118400")))
              == record_fault::bad_time));
  BOOST_TEST((fault(event_record(7, value_of(7, "t", "-1")))
              == record_fault::bad_time));
  BOOST_TEST((fault(event_record(8, value_of(7, "t"))) == record_fault::key_mismatch));
  BOOST_TEST((fault(event_record(0, value_of(0, "t"))) == record_fault::bad_id));
  BOOST_TEST((fault(event_record(-3, value_of(-3, "t"))) == record_fault::bad_id));
  BOOST_TEST((fault(event_record(7, "{}")) == record_fault::undecodable));
  auto moved = event_record(7, value_of(7, "t"));
  moved.partition = (moved.partition + 1) % 4;
  BOOST_TEST((fault(moved) == record_fault::misplaced));
  auto short_key = event_record(7, value_of(7, "t"));
  short_key.key = "7";
  BOOST_TEST((fault(short_key) == record_fault::bad_key));
  auto tombstone = event_record(7, "");
  tombstone.tombstone = true;
  BOOST_TEST((fault(tombstone) == record_fault::undecodable));
}

BOOST_AUTO_TEST_CASE(events_read_ahead_check_as_events_read_in_the_actor) {
  // A batch with a good event, one of each fault, and a changelog record.
  record_batch b;
  b.records.push_back(event_record(7, value_of(7, "login")));
  b.records.push_back(event_record(7, value_of(7, "a b")));
  b.records.push_back(event_record(8, value_of(7, "t")));
  b.records.push_back(event_record(7, "{}"));
  auto moved = event_record(7, value_of(7, "t"));
  moved.partition = (moved.partition + 1) % 4;
  b.records.push_back(moved);
  auto short_key = event_record(7, value_of(7, "t"));
  short_key.key = "7";
  b.records.push_back(short_key);
  auto tombstone = event_record(7, "");
  tombstone.tombstone = true;
  b.records.push_back(tombstone);
  auto plain = b; // not read ahead: event_at decodes
  in_record changelog;
  changelog.topic_id = id_of(topic::stats_changelog);
  changelog.value = value_of(7, "login");
  b.records.push_back(changelog);
  read_events(b);
  BOOST_REQUIRE_EQUAL(b.events.size(), b.records.size());
  BOOST_TEST(plain.events.empty());
  for (size_t i = 0; i + 1 < b.records.size(); ++i) {
    auto direct = check_event_record(b.records[i], 4);
    auto ahead = event_at(b, i, 4);
    auto decoded = event_at(plain, i, 4);
    BOOST_TEST_CONTEXT("record " << i) {
      BOOST_TEST((fault_of(ahead) == fault_of(direct)));
      BOOST_TEST((fault_of(decoded) == fault_of(direct)));
      if (!fault_of(direct)) {
        BOOST_TEST(std::get<event>(ahead).type == std::get<event>(direct).type);
        BOOST_TEST(std::get<event>(ahead).happened_at_ns
                   == std::get<event>(direct).happened_at_ns);
        BOOST_TEST(std::get<event>(ahead).account_id == 7);
      }
    }
  }
  BOOST_TEST(!fault_of(event_at(b, 0, 4)).has_value());
  // Placement needs the layout, so it is checked when read, not ahead.
  BOOST_TEST((fault_of(event_at(b, 4, 4)) == record_fault::misplaced));
  BOOST_TEST(!fault_of(event_at(b, 4, 0)).has_value());
  // A batch of changelog records only is left as it is.
  record_batch counts;
  counts.records.push_back(changelog);
  read_events(counts);
  BOOST_TEST(counts.events.empty());
}

// Own writes come back from their delivery reports with the event their
// writer had and an empty value: that event is taken as it is, the others
// are decoded, and the key's faults still come first.
BOOST_AUTO_TEST_CASE(known_events_are_taken_unread_and_the_rest_decoded) {
  record_batch b;
  std::vector<std::optional<event>> known;
  auto own = event_record(7, ""); // the value left out: the event is known
  b.records.push_back(own);
  known.push_back(event{7, "known", 1'714'557'600'000'000'001, -1});
  b.records.push_back(event_record(7, value_of(7, "decoded")));
  known.push_back(std::nullopt);
  auto own_bad_key = own;
  own_bad_key.key = "7";
  b.records.push_back(own_bad_key);
  known.push_back(event{7, "known", 1'714'557'600'000'000'001, -1});
  read_events(b, known);
  BOOST_REQUIRE_EQUAL(b.events.size(), 3u);
  auto first = event_at(b, 0, 4);
  BOOST_REQUIRE(!fault_of(first).has_value());
  BOOST_TEST(std::get<event>(first).type == "known");
  BOOST_TEST(std::get<event>(first).happened_at_ns
             == 1'714'557'600'000'000'001);
  auto second = event_at(b, 1, 4);
  BOOST_REQUIRE(!fault_of(second).has_value());
  BOOST_TEST(std::get<event>(second).type == "decoded");
  BOOST_TEST((fault_of(event_at(b, 2, 4)) == record_fault::bad_key));
  // Without the known event, the empty value is undecodable.
  record_batch plain;
  plain.records.push_back(own);
  read_events(plain);
  BOOST_TEST((fault_of(event_at(plain, 0, 4)) == record_fault::undecodable));
}

BOOST_AUTO_TEST_CASE(the_time_bounds_are_1970_and_2100) {
  BOOST_TEST(valid_event_time(0));
  BOOST_TEST(!valid_event_time(-1));
  BOOST_TEST(valid_event_time(latest_event_ns - 1));
  BOOST_TEST(!valid_event_time(latest_event_ns));
  // 2100-01-01T00:00:00Z, by the parser the API uses.
  BOOST_TEST(parse_instant("2100-01-01T00:00:00Z").value_or(0) == latest_event_ns);
}

BOOST_AUTO_TEST_CASE(account_values_are_checked_against_their_key) {
  auto fault = [](int64_t key, const std::string& v) {
    return fault_of(check_account_value(key, v));
  };
  BOOST_TEST(!fault(5, R"({"id":5,"name":"x"})").has_value());
  BOOST_TEST((fault(5, R"({"id":6,"name":"x"})") == record_fault::key_mismatch));
  BOOST_TEST((fault(0, R"({"id":0,"name":"x"})") == record_fault::bad_id));
  BOOST_TEST((fault(9007199254740992, R"({"id":9007199254740992,"name":"x"})")
              == record_fault::bad_id));
  BOOST_TEST((fault(5, R"({"id":5,"name":""})") == record_fault::bad_name));
  BOOST_TEST((fault(5, "{\"id\":5,\"name\":\"" + std::string(900 * 1024, 'n') + "\"}")
              == record_fault::bad_name));
  BOOST_TEST((fault(5, "{\"id\":5,\"name\":\"a\\u0007\"}") == record_fault::bad_name));
  BOOST_TEST((fault(5, "nope") == record_fault::undecodable));
  in_record r;
  r.key = encode_long_key(5);
  r.partition = (partition_for(r.key, 10) + 3) % 10;
  BOOST_TEST((fault_of(check_account_key(r.key, r.partition, 10))
              == record_fault::misplaced));
  r.partition = partition_for(r.key, 10);
  BOOST_TEST(std::get<int64_t>(check_account_key(r.key, r.partition, 10)) == 5);
}

// A topic full of poison cannot flood the log: `burst` lines a period, the
// last of them says so, and the next line written counts what was not.
BOOST_AUTO_TEST_CASE(skipped_records_are_all_counted_but_logged_at_a_limited_rate) {
  auto metric = [] {
    auto text = global_metrics().render();
    auto at = text.find("logbase_poison_records_total{reason=\"bad_type\",topic=\"events\"} ");
    return at == std::string::npos ? 0.0 : std::stod(text.substr(text.find("} ", at) + 2));
  };
  auto before = metric();
  skipped_records skipped{"test", 3, std::chrono::seconds{10}};
  constexpr int64_t s = 1'000'000'000;
  int logged = 0;
  for (int i = 0; i < 20; ++i)
    logged += skipped.report(topic::events, record_fault::bad_type, "events",
                             0, i, 100 * s + i) ? 1 : 0;
  BOOST_TEST(logged == 3);
  BOOST_TEST(skipped.unlogged() == 17);
  BOOST_TEST(metric() - before == 20.0);
  BOOST_TEST(!skipped.report(topic::events, record_fault::bad_type, "events", 0,
                             20, 109 * s));
  BOOST_TEST(skipped.report(topic::events, record_fault::bad_type, "events", 0,
                            21, 110 * s));
  BOOST_TEST(skipped.unlogged() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
