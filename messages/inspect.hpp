#pragma once

/// What lets the plain values of src/ travel as CAF messages (between actors
/// and between nodes): an `inspect` overload per type. src/ stays free of
/// CAF; every typed interface includes this (messages/interfaces.hpp).

#include <caf/meta/type_name.hpp>

#include "src/model.hpp"
#include "src/records.hpp"

namespace logbase {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, account& x) {
  return f(caf::meta::type_name("account"), x.id, x.name, x.version,
           x.events_since);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("event"), x.account_id, x.type,
           x.happened_at_ns, x.offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, daily_count& x) {
  return f(caf::meta::type_name("daily_count"), x.day, x.type, x.count);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_query& x) {
  return f(caf::meta::type_name("event_query"), x.account_id, x.events_since,
           x.from_ns, x.to_ns, x.type, x.limit, x.after_offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stats_query& x) {
  return f(caf::meta::type_name("stats_query"), x.account_id, x.from_day,
           x.to_day, x.type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_header& x) {
  return f(caf::meta::type_name("record_header"), x.name, x.value);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, out_record& x) {
  return f(caf::meta::type_name("out_record"), x.topic_id, x.partition, x.key,
           x.value, x.tombstone, x.timestamp_ms, x.headers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery& x) {
  return f(caf::meta::type_name("delivery"), x.partition, x.offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_report& x) {
  return f(caf::meta::type_name("delivery_report"), x.batch, x.index,
           x.topic_id, x.where, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, in_record& x) {
  return f(caf::meta::type_name("in_record"), x.topic_id, x.partition,
           x.offset, x.timestamp_ms, x.key, x.value, x.tombstone, x.headers);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, assignment& x) {
  return f(caf::meta::type_name("assignment"), x.topic_id, x.partition,
           x.start_offset);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_event& x) {
  return f(caf::meta::type_name("read_event"), x.value, x.fault);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_batch& x) {
  return f(caf::meta::type_name("record_batch"), x.records, x.reached_end,
           x.events);
}

} // namespace logbase
