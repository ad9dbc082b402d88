// JSON out: responses and the record values logbase writes to its topics.

#include "src/json.hpp"

#include <charconv>
#include <cstring>

#include "src/time.hpp"

namespace logbase {

// -- responses --------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  // Runs of characters that need no escape go in with one append.
  size_t plain = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto u = static_cast<uint8_t>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\')
      continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (u) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

namespace {

void append_account(std::string& out, const account& a) {
  out += "{\"id\":";
  out += std::to_string(a.id);
  out += ",\"name\":";
  append_json_string(out, a.name);
  out += ",\"version\":";
  out += std::to_string(a.version);
  out += '}';
}

/// Copies a literal's characters (not its NUL) to `at`; returns the end.
template <size_t N>
char* put(char* at, const char (&text)[N]) {
  std::memcpy(at, text, N - 1);
  return at + N - 1;
}

void append_event(std::string& out, const event& e) {
  // All but the type in one append: a listing writes hundreds of these.
  char buf[64 + max_instant_chars];
  char* at = put(buf, "{\"happenedAt\":\"");
  at = write_instant(at, e.happened_at_ns);
  at = put(at, "\",\"accountId\":");
  at = std::to_chars(at, buf + sizeof(buf), e.account_id).ptr;
  at = put(at, ",\"type\":");
  out.append(buf, at);
  append_json_string(out, e.type);
  out += '}';
}

/// `[…]` of `xs`; `bytes_per_item` sizes the text ahead (one allocation).
template <class T, class F>
std::string json_array(const std::vector<T>& xs, F append_one,
                       size_t bytes_per_item = 0) {
  std::string out;
  out.reserve(xs.size() * bytes_per_item + 2);
  out += '[';
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0)
      out += ',';
    append_one(out, xs[i]);
  }
  out += ']';
  return out;
}

} // namespace

std::string account_json(const account& a) {
  std::string out;
  append_account(out, a);
  return out;
}

std::string accounts_json(const std::vector<account>& as) {
  return json_array(as, append_account);
}

std::string event_json(const event& e) {
  std::string out;
  append_event(out, e);
  return out;
}

std::string events_json(const std::vector<event>& es) {
  // About what an event takes.
  return json_array(es, append_event, 96);
}

std::string daily_counts_json(const std::vector<daily_count>& counts) {
  return json_array(counts, [](std::string& out, const daily_count& c) {
    out += "{\"day\":\"";
    out += format_day(c.day);
    out += "\",\"type\":";
    append_json_string(out, c.type);
    out += ",\"count\":";
    out += std::to_string(c.count);
    out += '}';
  });
}

std::string error_json(const failure& f) {
  std::string out = "{\"error\":\"";
  out += to_string(f.code);
  out += "\",\"message\":";
  append_json_string(out, f.message);
  out += '}';
  return out;
}

// -- topic values -----------------------------------------------------------

std::string account_record_value(const account& a) {
  std::string out;
  append_account(out, a);
  out.pop_back(); // the record carries eventsSince too, before the brace
  out += ",\"eventsSince\":";
  out += std::to_string(a.events_since);
  out += '}';
  return out;
}

std::string event_record_value(const event& e) {
  // One allocation for the value: a batch POST writes thousands.
  std::string out;
  out.reserve(64 + e.type.size());
  out += "{\"happenedAt\":";
  char buf[max_epoch_seconds_chars];
  out.append(buf, write_epoch_seconds(buf, e.happened_at_ns));
  out += ",\"accountId\":";
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), e.account_id).ptr);
  out += ",\"type\":";
  append_json_string(out, e.type);
  out += '}';
  return out;
}

std::string member_record_value(std::string_view node,
                                std::string_view address,
                                const std::vector<int32_t>& partitions,
                                int64_t epoch) {
  std::string out = "{\"node\":";
  append_json_string(out, node);
  out += ",\"address\":";
  append_json_string(out, address);
  out += ",\"partitions\":[";
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (i > 0)
      out += ',';
    out += std::to_string(partitions[i]);
  }
  out += "],\"epoch\":";
  out += std::to_string(epoch);
  out += '}';
  return out;
}

std::string stats_count_value(int64_t account_id, int32_t day,
                              std::string_view type, int64_t count,
                              int64_t events_since) {
  std::string out = "{\"accountId\":" + std::to_string(account_id)
                    + ",\"day\":\"" + format_day(day) + "\",\"type\":";
  append_json_string(out, type);
  out += ",\"count\":" + std::to_string(count) + ",\"eventsSince\":"
         + std::to_string(events_since) + "}";
  return out;
}

std::string stats_checkpoint_value(int64_t events_offset) {
  return "{\"eventsOffset\":" + std::to_string(events_offset) + "}";
}

std::string id_block_value(int64_t block, int64_t first, int64_t last,
                           std::string_view node) {
  std::string out = "{\"block\":" + std::to_string(block) + ",\"first\":"
                    + std::to_string(first) + ",\"last\":"
                    + std::to_string(last) + ",\"node\":";
  append_json_string(out, node);
  out += '}';
  return out;
}

// -- other answers ----------------------------------------------------------

std::string ready_json(bool ready, int32_t restored, int32_t total,
                       const std::vector<int32_t>& restoring) {
  std::string out = std::string{"{\"ready\":"} + (ready ? "true" : "false")
                    + ",\"restored\":" + std::to_string(restored)
                    + ",\"total\":" + std::to_string(total)
                    + ",\"restoring\":[";
  for (size_t i = 0; i < restoring.size(); ++i)
    out += (i > 0 ? "," : "") + std::to_string(restoring[i]);
  return out + "]}";
}

std::string stream_end_json(std::string_view reason) {
  std::string out = "{\"reason\":";
  append_json_string(out, reason);
  return out + "}";
}

} // namespace logbase
