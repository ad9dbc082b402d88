#include "src/json.hpp"

#include "src/request_limits.hpp"

#include <simdjson.h>

#include "src/own_records.hpp"
#include "src/time.hpp"

namespace logbase {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

namespace {

failure bad(error_code code, std::string message) {
  return failure{code, std::move(message)};
}

failure malformed() {
  return bad(error_code::malformed_json, "the body is not well-formed JSON");
}

// Nesting that no body needs is refused before it is parsed.
std::optional<failure> too_deep(std::string_view body) {
  if (json_depth(body, max_json_depth) <= max_json_depth)
    return std::nullopt;
  return bad(error_code::malformed_json,
             "the body nests arrays and objects deeper than "
               + std::to_string(max_json_depth) + " levels");
}

// One parser per thread: the HTTP server parses on many threads.
od::parser& parser() {
  thread_local od::parser p;
  return p;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r'
                        || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Checks the whole document was consumed: `{"a":1} x` is malformed.
bool at_end(od::document& doc) {
  return doc.current_location().error() == sj::OUT_OF_BOUNDS;
}

// A root that is neither object nor array: well-formed JSON of the wrong
// kind (400 invalid_body), or not JSON at all (malformed)? simdjson judges
// a scalar root by its first character only, so read it whole.
failure wrong_root(od::document& doc, od::json_type type,
                   const char* wanted) {
  bool well_formed = false;
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      well_formed = !doc.get_string().get(s);
      break;
    }
    case od::json_type::number: {
      double d = 0;
      well_formed = !doc.get_double().get(d);
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      well_formed = !doc.get_bool().get(b);
      break;
    }
    case od::json_type::null: {
      bool n = false;
      well_formed = !doc.is_null().get(n) && n;
      break;
    }
    default:
      break;
  }
  if (!well_formed || !at_end(doc))
    return malformed();
  return bad(error_code::invalid_body, wanted);
}

std::optional<int64_t> epoch_seconds_of(sj::simdjson_result<od::value> r) {
  od::value v;
  if (r.get(v))
    return std::nullopt;
  return parse_epoch_seconds(trim(v.raw_json_token()));
}

} // namespace

// -- request bodies ---------------------------------------------------------

expected<std::string> parse_account_body(std::string_view body) {
  if (auto f = too_deep(body))
    return *f;
  sj::padded_string padded(body);
  od::document doc;
  if (auto err = parser().iterate(padded).get(doc)) {
    if (err == sj::UTF8_ERROR)
      return bad(error_code::invalid_name, "name must be valid UTF-8");
    return malformed();
  }
  od::json_type root;
  if (doc.type().get(root))
    return malformed();
  if (root != od::json_type::object) {
    if (root == od::json_type::array)
      return bad(error_code::invalid_body, "the body must be a JSON object");
    return wrong_root(doc, root, "the body must be a JSON object");
  }
  od::object obj;
  if (doc.get_object().get(obj))
    return malformed();
  std::optional<std::string> name;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return malformed();
    if (key != "name")
      return bad(error_code::invalid_body,
                 "unknown field '" + std::string(key) + "'");
    if (name)
      return bad(error_code::invalid_body, "field 'name' appears twice");
    od::json_type type;
    if (field.value().type().get(type))
      return malformed();
    if (type != od::json_type::string)
      return bad(error_code::invalid_body, "field 'name' must be a string");
    std::string_view value;
    if (auto err = field.value().get_string().get(value))
      return err == sj::UTF8_ERROR
               ? bad(error_code::invalid_name, "name must be valid UTF-8")
               : malformed();
    name = std::string(value);
  }
  if (!at_end(doc))
    return malformed();
  if (!name)
    return bad(error_code::invalid_body, "field 'name' is missing");
  if (auto f = check_name(*name))
    return *f;
  return *name;
}

namespace {

expected<event_input> parse_event_object(od::value value, size_t index,
                                         bool in_array) {
  auto where = [&](std::string_view field) {
    std::string s = in_array ? "[" + std::to_string(index) + "]." : "";
    s += field;
    return s;
  };
  od::json_type type;
  if (value.type().get(type))
    return malformed();
  if (type != od::json_type::object)
    return bad(error_code::invalid_body,
               in_array ? "element " + std::to_string(index)
                            + " must be a JSON object"
                        : std::string{"the body must be a JSON object or array"});
  od::object obj;
  if (value.get_object().get(obj))
    return malformed();
  event_input in;
  bool has_type = false;
  bool has_time = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return malformed();
    od::json_type ft;
    if (field.value().type().get(ft))
      return malformed();
    if (key == "type") {
      if (has_type)
        return bad(error_code::invalid_body,
                   "field '" + where("type") + "' appears twice");
      if (ft != od::json_type::string)
        return bad(error_code::invalid_body,
                   "field '" + where("type") + "' must be a string");
      std::string_view s;
      if (field.value().get_string().get(s))
        return malformed();
      in.type = std::string(s);
      has_type = true;
    } else if (key == "happenedAt") {
      if (has_time)
        return bad(error_code::invalid_body,
                   "field '" + where("happenedAt") + "' appears twice");
      has_time = true;
      if (ft == od::json_type::string) {
        std::string_view s;
        if (field.value().get_string().get(s))
          return malformed();
        in.happened_at_ns = parse_instant(s);
      } else if (ft == od::json_type::number) {
        in.happened_at_ns = epoch_seconds_of(field.value());
      } else if (ft == od::json_type::null) {
        continue; // same as absent: the time of arrival
      } else {
        return bad(error_code::invalid_body,
                   "field '" + where("happenedAt")
                     + "' must be an ISO-8601 instant string");
      }
      if (!in.happened_at_ns)
        return bad(error_code::invalid_body,
                   "field '" + where("happenedAt")
                     + "' is not an ISO-8601 instant like "
                       "2024-05-01T10:00:00Z");
    } else {
      return bad(error_code::invalid_body,
                 "unknown field '" + where(key) + "'");
    }
  }
  if (!has_type)
    return bad(error_code::invalid_body,
               "field '" + where("type") + "' is missing");
  if (auto f = check_event_type(in.type)) {
    if (in_array)
      f->message = "element " + std::to_string(index) + ": " + f->message;
    return *f;
  }
  return in;
}

} // namespace

expected<std::vector<event_input>> parse_events_body(std::string_view body) {
  if (auto f = too_deep(body))
    return *f;
  sj::padded_string padded(body);
  od::document doc;
  if (auto err = parser().iterate(padded).get(doc))
    return err == sj::UTF8_ERROR
             ? bad(error_code::malformed_json, "the body is not valid UTF-8")
             : malformed();
  od::json_type root;
  if (doc.type().get(root))
    return malformed();
  std::vector<event_input> out;
  if (root == od::json_type::array) {
    od::array arr;
    if (doc.get_array().get(arr))
      return malformed();
    size_t index = 0;
    for (auto element : arr) {
      od::value v;
      if (element.get(v))
        return malformed();
      if (index >= max_event_batch)
        return bad(error_code::payload_too_large,
                   "a batch holds at most " + std::to_string(max_event_batch)
                     + " events");
      auto one = parse_event_object(v, index, true);
      if (!one)
        return one.error();
      out.push_back(std::move(*one));
      ++index;
    }
    if (out.empty())
      return bad(error_code::invalid_body, "the batch is empty");
  } else if (root == od::json_type::object) {
    od::value v;
    if (doc.get_value().get(v))
      return malformed();
    auto one = parse_event_object(v, 0, false);
    if (!one)
      return one.error();
    out.push_back(std::move(*one));
  } else {
    return wrong_root(doc, root, "the body must be a JSON object or array");
  }
  if (!at_end(doc))
    return malformed();
  return out;
}

// -- topic values -----------------------------------------------------------

std::optional<account> decode_account_record(int64_t key_id,
                                             std::string_view value) {
  auto a = decode_account_value(value);
  if (!a || a->id != key_id)
    return std::nullopt;
  return a;
}

std::optional<account> decode_account_value(std::string_view value) {
  sj::padded_string padded(value);
  od::document doc;
  od::object obj;
  if (parser().iterate(padded).get(doc) || doc.get_object().get(obj))
    return std::nullopt;
  account a;
  a.version = 1; // the original app wrote no version
  bool has_id = false;
  bool has_name = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return std::nullopt;
    if (key == "id") {
      if (field.value().get_int64().get(a.id))
        return std::nullopt;
      has_id = true;
    } else if (key == "name") {
      std::string_view s;
      if (field.value().get_string().get(s))
        return std::nullopt;
      a.name = std::string(s);
      has_name = true;
    } else if (key == "version") {
      if (field.value().get_int64().get(a.version) || a.version < 1)
        return std::nullopt;
    } else if (key == "eventsSince") {
      if (field.value().get_int64().get(a.events_since))
        return std::nullopt;
    }
    // Fields other writers add are ignored.
  }
  if (!has_id || !has_name || !at_end(doc))
    return std::nullopt;
  return a;
}

std::optional<event> decode_event_record(std::string_view value) {
  if (auto own = read_own_event_record(value))
    return own;
  sj::padded_string padded(value);
  od::document doc;
  od::object obj;
  if (parser().iterate(padded).get(doc) || doc.get_object().get(obj))
    return std::nullopt;
  event e;
  bool has_id = false;
  bool has_type = false;
  bool has_time = false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key))
      return std::nullopt;
    if (key == "accountId") {
      if (field.value().get_int64().get(e.account_id))
        return std::nullopt;
      has_id = true;
    } else if (key == "type") {
      std::string_view s;
      if (field.value().get_string().get(s))
        return std::nullopt;
      e.type = std::string(s);
      has_type = true;
    } else if (key == "happenedAt") {
      od::json_type t;
      if (field.value().type().get(t))
        return std::nullopt;
      std::optional<int64_t> ns;
      if (t == od::json_type::number) {
        ns = epoch_seconds_of(field.value());
      } else if (t == od::json_type::string) {
        std::string_view s;
        if (field.value().get_string().get(s))
          return std::nullopt;
        ns = parse_instant(s);
      }
      if (!ns)
        return std::nullopt;
      e.happened_at_ns = *ns;
      has_time = true;
    }
  }
  if (!has_id || !has_type || !has_time || !at_end(doc))
    return std::nullopt;
  return e;
}

} // namespace logbase
