#include "src/record_checks.hpp"

#include <algorithm>

#include "src/codec.hpp"
#include "src/json.hpp"

namespace logbase {

std::string_view name_of(record_fault f) {
  switch (f) {
    case record_fault::undecodable:
      return "undecodable";
    case record_fault::bad_key:
      return "bad_key";
    case record_fault::misplaced:
      return "misplaced";
    case record_fault::key_mismatch:
      return "key_mismatch";
    case record_fault::bad_id:
      return "bad_id";
    case record_fault::bad_name:
      return "bad_name";
    case record_fault::bad_type:
      return "bad_type";
    case record_fault::bad_time:
      return "bad_time";
    case record_fault::bad_count:
      return "bad_count";
    case record_fault::no_node:
      return "no_node";
  }
  return "unknown";
}

bool valid_account_id(int64_t id) {
  return id >= 1 && id <= max_account_id;
}

bool valid_event_time(int64_t happened_at_ns) {
  return happened_at_ns >= earliest_event_ns
         && happened_at_ns < latest_event_ns;
}

checked<int64_t> check_account_key(std::string_view key, int32_t partition,
                                   int32_t partitions) {
  auto id = decode_long_key(key);
  if (!id)
    return record_fault::bad_key;
  // Elsewhere the account's records are read by another node, or after
  // this one in another order: the record cannot be placed in its history.
  if (partitions > 0 && partition_for(key, partitions) != partition)
    return record_fault::misplaced;
  return *id;
}

checked<account> check_account_value(int64_t key_id, std::string_view value) {
  auto a = decode_account_value(value);
  if (!a)
    return record_fault::undecodable;
  if (a->id != key_id)
    return record_fault::key_mismatch;
  if (!valid_account_id(a->id))
    return record_fault::bad_id;
  if (check_name(a->name))
    return record_fault::bad_name;
  return std::move(*a);
}

checked<event> check_event_record(const in_record& r, int32_t partitions) {
  auto id = check_account_key(r.key, r.partition, partitions);
  if (auto* fault = std::get_if<record_fault>(&id))
    return *fault;
  auto e = r.tombstone ? std::nullopt : decode_event_record(r.value);
  if (!e)
    return record_fault::undecodable;
  if (e->account_id != std::get<int64_t>(id))
    return record_fault::key_mismatch;
  if (!valid_account_id(e->account_id))
    return record_fault::bad_id;
  if (check_event_type(e->type))
    return record_fault::bad_type;
  if (!valid_event_time(e->happened_at_ns))
    return record_fault::bad_time;
  return std::move(*e);
}

void read_events(record_batch& b) {
  std::vector<std::optional<event>> none;
  read_events(b, none);
}

void read_events(record_batch& b, std::vector<std::optional<event>>& known) {
  auto is_event = [](const in_record& r) {
    return r.topic_id == id_of(topic::events);
  };
  if (std::none_of(b.records.begin(), b.records.end(), is_event))
    return;
  b.events.clear();
  b.events.reserve(b.records.size());
  for (size_t i = 0; i < b.records.size(); ++i) {
    auto& r = b.records[i];
    auto& out = b.events.emplace_back();
    if (!is_event(r)) { // never read as an event
      out.fault = static_cast<uint8_t>(record_fault::undecodable) + 1;
      continue;
    }
    if (i < known.size() && known[i]) {
      out.value = std::move(*known[i]);
      continue;
    }
    auto c = check_event_record(r, 0);
    if (auto* e = std::get_if<event>(&c))
      out.value = std::move(*e);
    else
      out.fault = static_cast<uint8_t>(std::get<record_fault>(c)) + 1;
  }
}

checked<event> event_at(const record_batch& b, size_t i, int32_t partitions) {
  auto& r = b.records[i];
  if (b.events.size() != b.records.size())
    return check_event_record(r, partitions);
  // The key's faults come first, as in check_event_record.
  auto id = check_account_key(r.key, r.partition, partitions);
  if (auto* fault = std::get_if<record_fault>(&id))
    return *fault;
  auto& read = b.events[i];
  if (read.fault != 0)
    return static_cast<record_fault>(read.fault - 1);
  return read.value;
}

} // namespace logbase
