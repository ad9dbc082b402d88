#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "src/json.hpp"
#include "src/own_records.hpp"
#include "src/time.hpp"

using namespace logbase;
namespace bdata = boost::unit_test::data;

namespace {

struct bad_body {
  std::string body;
  error_code code;
  std::string mentions; ///< the message must name this (the field)
};

std::ostream& operator<<(std::ostream& out, const bad_body& b) {
  return out << b.body;
}

const std::vector<bad_body> bad_account_bodies{
  {"", error_code::malformed_json, ""},
  {"{", error_code::malformed_json, ""},
  {"{\"name\":\"a\"} x", error_code::malformed_json, ""},
  {"not json", error_code::malformed_json, ""},
  {"\"name\"", error_code::invalid_body, "object"},
  {"[]", error_code::invalid_body, "object"},
  {"42", error_code::invalid_body, "object"},
  {"{}", error_code::invalid_body, "name"},
  {"{\"name\":1}", error_code::invalid_body, "name"},
  {"{\"name\":null}", error_code::invalid_body, "name"},
  {"{\"name\":[\"a\"]}", error_code::invalid_body, "name"},
  {"{\"name\":\"a\",\"age\":3}", error_code::invalid_body, "age"},
  {"{\"name\":\"a\",\"name\":\"b\"}", error_code::invalid_body, "name"},
  {"{\"name\":\"\"}", error_code::invalid_name, "empty"},
  {"{\"name\":\"" + std::string(257, 'x') + "\"}", error_code::invalid_name,
   "256"},
  {"{\"name\":\"a\\u0001b\"}", error_code::invalid_name, "control"},
  {"{\"name\":\"a\\nb\"}", error_code::invalid_name, "control"},
  {"{\"name\":\"a\xc2\x85" "b\"}", error_code::invalid_name, "control"},
  {"{\"name\":\"\xff\xfe\"}", error_code::invalid_name, "UTF-8"},
};

const std::vector<bad_body> bad_event_bodies{
  {"", error_code::malformed_json, ""},
  {"[", error_code::malformed_json, ""},
  {"{\"type\":\"a\"}]", error_code::malformed_json, ""},
  {"\"login\"", error_code::invalid_body, "object"},
  {"[]", error_code::invalid_body, "empty"},
  {"[1]", error_code::invalid_body, "element 0"},
  {"{}", error_code::invalid_body, "type"},
  {"{\"type\":5}", error_code::invalid_body, "type"},
  {"{\"type\":\"a\",\"accountId\":1}", error_code::invalid_body, "accountId"},
  {"{\"type\":\"a\",\"happenedAt\":true}", error_code::invalid_body,
   "happenedAt"},
  {"{\"type\":\"a\",\"happenedAt\":\"yesterday\"}", error_code::invalid_body,
   "happenedAt"},
  {"[{\"type\":\"a\"},{\"typo\":\"b\"}]", error_code::invalid_body, "[1].typo"},
  {"{\"type\":\"\"}", error_code::invalid_event_type, "1 to 64"},
  {"{\"type\":\"" + std::string(65, 'a') + "\"}", error_code::invalid_event_type,
   "1 to 64"},
  {"{\"type\":\"log in\"}", error_code::invalid_event_type, "letters"},
  {"{\"type\":\"caf\xc3\xa9\"}", error_code::invalid_event_type, "letters"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(json_test)

BOOST_DATA_TEST_CASE(bad_account_bodies_get_their_error,
                     bdata::make(bad_account_bodies), b) {
  auto r = parse_account_body(b.body);
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == to_string(b.code));
  BOOST_TEST(r.error().message.find(b.mentions) != std::string::npos,
             r.error().message << " should mention " << b.mentions);
}

BOOST_DATA_TEST_CASE(bad_event_bodies_get_their_error,
                     bdata::make(bad_event_bodies), b) {
  auto r = parse_events_body(b.body);
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == to_string(b.code));
  BOOST_TEST(r.error().message.find(b.mentions) != std::string::npos,
             r.error().message << " should mention " << b.mentions);
}

BOOST_AUTO_TEST_CASE(good_account_bodies_give_the_name) {
  BOOST_TEST(*parse_account_body(R"({"name":"alice"})") == "alice");
  BOOST_TEST(*parse_account_body(" { \"name\" : \"a\\\"b\" } ") == "a\"b");
  BOOST_TEST(*parse_account_body(R"({"name":"Zoë 😀"})") == "Zoë 😀");
  // 256 characters, more bytes: characters count, not bytes.
  std::string name;
  for (int i = 0; i < 256; ++i)
    name += "é";
  BOOST_TEST(*parse_account_body("{\"name\":\"" + name + "\"}") == name);
}

BOOST_AUTO_TEST_CASE(batches_over_the_limit_are_too_large) {
  std::string body = "[";
  for (size_t i = 0; i <= max_event_batch; ++i)
    body += std::string(i ? "," : "") + R"({"type":"a"})";
  body += "]";
  auto r = parse_events_body(body);
  BOOST_REQUIRE(!r);
  BOOST_TEST(http_status(r.error().code) == 413);
}

BOOST_AUTO_TEST_CASE(event_bodies_read_single_and_batch) {
  auto one = parse_events_body(R"({"type":"login"})");
  BOOST_REQUIRE(one);
  BOOST_TEST(one->size() == 1u);
  BOOST_TEST((*one)[0].type == "login");
  BOOST_TEST(!(*one)[0].happened_at_ns.has_value());
  auto many = parse_events_body(
    R"([{"type":"a","happenedAt":"2024-05-01T10:00:00Z"},{"type":"b.c:d-e_f","happenedAt":1714557600.25}])");
  BOOST_REQUIRE(many);
  BOOST_TEST(many->size() == 2u);
  BOOST_TEST((*many)[0].happened_at_ns.value()
             == int64_t{1714557600} * ns_per_second);
  BOOST_TEST((*many)[1].happened_at_ns.value()
             == int64_t{1714557600} * ns_per_second + 250'000'000);
}

BOOST_AUTO_TEST_CASE(original_account_records_read_as_version_one) {
  auto a = decode_account_record(7, R"({"id":7,"name":"x"})");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->version == 1);
  BOOST_TEST(a->name == "x");
  auto b = decode_account_record(
    7, R"({"id":7,"name":"y","version":4,"eventsSince":12,"extra":[1]})");
  BOOST_REQUIRE(b.has_value());
  BOOST_TEST(b->version == 4);
  BOOST_TEST(b->events_since == 12);
}

BOOST_DATA_TEST_CASE(foreign_account_records_do_not_decode,
                     bdata::make({"", "x", "{}", R"({"id":7})",
                                  R"({"id":8,"name":"x"})",
                                  R"({"id":"7","name":"x"})",
                                  R"({"id":7,"name":"x","version":0})"}),
                     value) {
  BOOST_TEST(!decode_account_record(7, value).has_value());
}

BOOST_AUTO_TEST_CASE(event_records_round_trip_as_the_original_wrote_them) {
  event e{42, "login", int64_t{1714557600} * ns_per_second + 123456789, -1};
  auto value = event_record_value(e);
  BOOST_TEST(value
             == R"({"happenedAt":1714557600.123456789,"accountId":42,"type":"login"})");
  auto back = decode_event_record(value);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->happened_at_ns == e.happened_at_ns);
  BOOST_TEST(back->account_id == 42);
  BOOST_TEST(back->type == "login");
  auto iso = decode_event_record(
    R"({"accountId":1,"type":"t","happenedAt":"2024-05-01T10:00:00Z"})");
  BOOST_REQUIRE(iso.has_value());
  BOOST_TEST(iso->happened_at_ns == int64_t{1714557600} * ns_per_second);
  BOOST_TEST(!decode_event_record(R"({"accountId":1,"type":"t"})").has_value());
  BOOST_TEST(!decode_event_record("garbage").has_value());
}

BOOST_AUTO_TEST_CASE(own_event_records_are_read_without_the_parser_alike) {
  // What read_own_event_record takes must decode exactly as the parser
  // decodes it; what it leaves goes to the parser.
  for (auto e : {event{42, "login", int64_t{1714557600} * ns_per_second + 5, -1},
                 event{-3, "", 0, -1},
                 event{7, "caf\xc3\xa9", -1'500'000'000, -1},
                 event{1, "a\"b", 10, -1}}) {
    auto value = event_record_value(e);
    auto fast = read_own_event_record(value);
    auto decoded = decode_event_record(value);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(decoded->account_id == e.account_id);
    BOOST_TEST(decoded->type == e.type);
    BOOST_TEST(decoded->happened_at_ns == e.happened_at_ns);
    if (e.type.find('"') == std::string::npos) {
      BOOST_REQUIRE(fast.has_value());
      BOOST_TEST(fast->type == e.type);
      BOOST_TEST(fast->happened_at_ns == e.happened_at_ns);
    } else {
      BOOST_TEST(!fast.has_value()); // escaped: the parser's
    }
  }
  for (auto other : {R"({"happenedAt":1.5,"accountId":1,"type":"t"} )",
                     R"({"happenedAt":1.5, "accountId":1,"type":"t"})",
                     R"({"happenedAt":1.5E9,"accountId":1,"type":"t"})",
                     R"({"happenedAt":01.5,"accountId":1,"type":"t"})",
                     R"({"happenedAt":1.5,"accountId":007,"type":"t"})",
                     R"({"happenedAt":1.5,"accountId":1.5,"type":"t"})",
                     R"({"happenedAt":1.5,"accountId":1,"type":"t\u0041"})",
                     R"({"happenedAt":1.5,"accountId":1,"type":"t","x":1})",
                     R"({"happenedAt":1.5,"accountId":1,"type":"t)",
                     "{\"happenedAt\":1.5,\"accountId\":1,\"type\":\"\xff\"}"})
    BOOST_TEST(!read_own_event_record(other).has_value(), other);
}

BOOST_AUTO_TEST_CASE(responses_escape_strings) {
  account a{1, "a\"b\\c\n\x01", 2, 0};
  BOOST_TEST(account_json(a)
             == R"({"id":1,"name":"a\"b\\c\n\u0001","version":2})");
  BOOST_TEST(error_json({error_code::version_conflict, "no"})
             == R"({"error":"version_conflict","message":"no"})");
}

BOOST_AUTO_TEST_SUITE_END()
