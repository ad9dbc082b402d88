#include <boost/test/unit_test.hpp>

#include "src/idempotency.hpp"
#include "src/idempotency_keys.hpp"
#include "src/json.hpp"

using namespace logbase;
using kind = idempotency_keys::kind;

namespace {

constexpr int64_t hour_ms = 3'600'000;
constexpr int64_t window_ms = 24 * hour_ms;

std::vector<event_input> inputs_of(std::string_view body) {
  auto parsed = parse_events_body(body);
  BOOST_REQUIRE(parsed);
  return *parsed;
}

/// The record a keyed POST wrote for one part, read back at `offset`.
struct landed {
  idempotency_mark mark;
  event e;
};

landed part(int64_t account, const std::string& key, uint64_t hash,
            uint32_t index, uint32_t parts, int64_t written_ms,
            int64_t offset, const std::string& type = "t") {
  return {{key, hash, index, parts, written_ms},
          event{account, type, 1000 + offset, offset}};
}

void read(idempotency_keys& keys, const landed& l, int64_t now_ms) {
  keys.on_record(l.mark, l.e, now_ms);
}

} // namespace

BOOST_AUTO_TEST_SUITE(idempotency_test)

BOOST_AUTO_TEST_CASE(keys_are_1_to_128_visible_ascii_characters) {
  BOOST_TEST(!check_idempotency_key("a"));
  BOOST_TEST(!check_idempotency_key(std::string(128, 'k')));
  BOOST_TEST(!check_idempotency_key("!~{}:/=+%\"'\\"));
  for (std::string bad : {std::string{}, std::string(129, 'k'),
                          std::string{"a b"}, std::string{"tab\t"},
                          std::string{"\x7f"}, std::string{"caf\xc3\xa9"},
                          std::string{"nul\0x", 5}}) {
    auto f = check_idempotency_key(bad);
    BOOST_REQUIRE(f.has_value());
    BOOST_TEST(to_string(f->code) == "invalid_idempotency_key");
    BOOST_TEST(f->message.find("Idempotency-Key") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_same_logical_body_hashes_alike) {
  auto h = body_hash(inputs_of(R"([{"type":"a","happenedAt":"2024-05-01T10:00:00Z"},{"type":"b"}])"), true);
  // Spacing, field order and time zone do not matter.
  BOOST_TEST(h == body_hash(inputs_of(R"( [ {"happenedAt":"2024-05-01T12:00:00+02:00", "type":"a"}, {"type":"b"} ] )"), true));
  // Anything a client meant differently does.
  BOOST_TEST(h != body_hash(inputs_of(R"([{"type":"b"},{"type":"a","happenedAt":"2024-05-01T10:00:00Z"}])"), true));
  BOOST_TEST(h != body_hash(inputs_of(R"([{"type":"a","happenedAt":"2024-05-01T10:00:01Z"},{"type":"b"}])"), true));
  BOOST_TEST(h != body_hash(inputs_of(R"([{"type":"a"},{"type":"b"}])"), true));
  BOOST_TEST(h != body_hash(inputs_of(R"([{"type":"a","happenedAt":"2024-05-01T10:00:00Z"}])"), true));
  // One event as an object or as an array of one.
  auto one = inputs_of(R"({"type":"a"})");
  BOOST_TEST(body_hash(one, false) != body_hash(one, true));
  // Types run together differently.
  BOOST_TEST(body_hash(inputs_of(R"([{"type":"ab"},{"type":"c"}])"), true)
             != body_hash(inputs_of(R"([{"type":"a"},{"type":"bc"}])"), true));
}

BOOST_AUTO_TEST_CASE(marks_read_back_as_written) {
  idempotency_mark m{"order-17/retry:x", 0x00ab'cdef'0123'4567ULL, 3, 10,
                     1'714'557'600'123};
  auto text = encode_mark(m);
  BOOST_TEST(text == "1 00abcdef01234567 3 10 1714557600123 order-17/retry:x");
  auto back = decode_mark(text);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->key == m.key);
  BOOST_TEST(back->body_hash == m.body_hash);
  BOOST_TEST(back->part == 3u);
  BOOST_TEST(back->parts == 10u);
  BOOST_TEST(back->written_ms == m.written_ms);
  for (auto bad : {"", "1 00abcdef01234567 3 10 1714557600123",
                   "2 00abcdef01234567 3 10 1714557600123 k",
                   "1 abcdef01234567 3 10 1714557600123 k",
                   "1 00abcdef01234567 10 10 1714557600123 k",
                   "1 00abcdef01234567 0 10001 1714557600123 k",
                   "1 00abcdef01234567 -1 10 1714557600123 k",
                   "1 00abcdef01234567 3 10 x k",
                   "1 00abcdef01234567 3 10 1714557600123 two words"})
    BOOST_TEST(!decode_mark(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(an_unknown_key_is_fresh_and_a_complete_one_replays) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  auto v = keys.check(1, "k", 9, 2, 0, now);
  BOOST_TEST(static_cast<int>(v.what) == static_cast<int>(kind::fresh));
  BOOST_TEST(v.missing == (std::vector<uint32_t>{0, 1}));
  read(keys, part(1, "k", 9, 1, 2, now, 11, "second"), now);
  read(keys, part(1, "k", 9, 0, 2, now, 10, "first"), now);
  v = keys.check(1, "k", 9, 2, 0, now + 1);
  BOOST_TEST(static_cast<int>(v.what) == static_cast<int>(kind::replay));
  BOOST_REQUIRE(v.landed.size() == 2u);
  // In the order of the parts, whatever the order they were read in.
  BOOST_TEST(v.landed[0].type == "first");
  BOOST_TEST(v.landed[0].offset == 10);
  BOOST_TEST(v.landed[1].type == "second");
  BOOST_TEST(v.missing.empty());
  // The key belongs to its account.
  BOOST_TEST(static_cast<int>(keys.check(2, "k", 9, 2, 0, now).what)
             == static_cast<int>(kind::fresh));
  BOOST_TEST(keys.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_key_with_another_body_is_reused) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  read(keys, part(1, "k", 9, 0, 1, now, 0), now);
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 8, 1, 0, now).what)
             == static_cast<int>(kind::reused));
  // Also when only the number of events differs.
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 2, 0, now).what)
             == static_cast<int>(kind::reused));
}

BOOST_AUTO_TEST_CASE(a_batch_that_landed_in_part_resumes_with_what_is_missing) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  read(keys, part(1, "k", 9, 0, 4, now, 20), now);
  read(keys, part(1, "k", 9, 2, 4, now, 21), now);
  auto v = keys.check(1, "k", 9, 4, 0, now);
  BOOST_TEST(static_cast<int>(v.what) == static_cast<int>(kind::resume));
  BOOST_TEST(v.missing == (std::vector<uint32_t>{1, 3}));
  BOOST_REQUIRE(v.landed.size() == 4u);
  BOOST_TEST(v.landed[0].offset == 20);
  BOOST_TEST(v.landed[1].offset == -1);
  BOOST_TEST(v.landed[2].offset == 21);
  // The rest lands: a replay.
  read(keys, part(1, "k", 9, 1, 4, now + 5, 22), now + 5);
  read(keys, part(1, "k", 9, 3, 4, now + 5, 23), now + 5);
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 4, 0, now + 6).what)
             == static_cast<int>(kind::replay));
}

BOOST_AUTO_TEST_CASE(keys_expire_a_window_after_their_last_write) {
  idempotency_keys keys{window_ms};
  auto t0 = 100 * hour_ms;
  read(keys, part(1, "old", 9, 0, 2, t0, 0), t0);
  read(keys, part(1, "old", 9, 1, 2, t0 + 2 * hour_ms, 1), t0 + 2 * hour_ms);
  read(keys, part(1, "new", 9, 0, 1, t0 + 20 * hour_ms, 2), t0 + 20 * hour_ms);
  // Within the window of the last write.
  BOOST_TEST(static_cast<int>(keys.check(1, "old", 9, 2, 0, t0 + 25 * hour_ms)
                                .what)
             == static_cast<int>(kind::replay));
  BOOST_TEST(keys.expire(t0 + 25 * hour_ms) == 0u);
  BOOST_TEST(keys.expire(t0 + 26 * hour_ms) == 1u);
  BOOST_TEST(keys.size() == 1u);
  BOOST_TEST(static_cast<int>(keys.check(1, "old", 9, 2, 0, t0 + 26 * hour_ms)
                                .what)
             == static_cast<int>(kind::fresh));
  // Past the window a check forgets it too, before any expiry sweep.
  BOOST_TEST(static_cast<int>(keys.check(1, "new", 9, 1, 0, t0 + 44 * hour_ms)
                                .what)
             == static_cast<int>(kind::fresh));
  BOOST_TEST(keys.size() == 0u);
  // A record read long after it was written (a restore) is not kept.
  read(keys, part(1, "late", 9, 0, 1, t0, 3), t0 + 30 * hour_ms);
  BOOST_TEST(keys.size() == 0u);
}

BOOST_AUTO_TEST_CASE(parts_before_events_since_belong_to_a_deleted_account) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  read(keys, part(1, "k", 9, 0, 2, now, 5), now);
  read(keys, part(1, "k", 9, 1, 2, now, 6), now);
  // The account was deleted and created again from offset 6 on.
  auto v = keys.check(1, "k", 9, 2, 6, now);
  BOOST_TEST(static_cast<int>(v.what) == static_cast<int>(kind::resume));
  BOOST_TEST(v.missing == (std::vector<uint32_t>{0}));
  // From offset 7 on: nothing of it is live, whatever its body was.
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 1, 1, 7, now).what)
             == static_cast<int>(kind::fresh));
}

BOOST_AUTO_TEST_CASE(one_attempt_per_key_runs_and_a_failed_one_unsettles_it) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  keys.begin(1, "k", now);
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 1, 0, now).what)
             == static_cast<int>(kind::busy));
  BOOST_TEST(static_cast<int>(keys.check(1, "other", 9, 1, 0, now).what)
             == static_cast<int>(kind::fresh));
  int woken = 0;
  keys.wait(1, "k", [&] { ++woken; });
  auto waiting = keys.end(1, "k", true);
  BOOST_TEST(waiting.size() == 1u);
  for (auto& w : waiting)
    w();
  BOOST_TEST(woken == 1);
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 1, 0, now).what)
             == static_cast<int>(kind::unsettled));
  // Caught up: it is decided by what landed again.
  keys.begin(1, "k", now);
  BOOST_TEST(keys.end(1, "k", false).empty());
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 1, 0, now).what)
             == static_cast<int>(kind::fresh));
}

BOOST_AUTO_TEST_CASE(a_deleted_account_forgets_its_keys) {
  idempotency_keys keys{window_ms};
  auto now = 100 * hour_ms;
  read(keys, part(1, "k", 9, 0, 1, now, 0), now);
  read(keys, part(2, "k", 9, 0, 1, now, 1), now);
  keys.forget(1);
  BOOST_TEST(keys.size() == 1u);
  BOOST_TEST(static_cast<int>(keys.check(1, "k", 9, 1, 0, now).what)
             == static_cast<int>(kind::fresh));
  BOOST_TEST(static_cast<int>(keys.check(2, "k", 9, 1, 0, now).what)
             == static_cast<int>(kind::replay));
}

BOOST_AUTO_TEST_SUITE_END()
