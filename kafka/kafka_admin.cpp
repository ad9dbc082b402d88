#include "kafka/kafka_admin.hpp"

#include <chrono>
#include <memory>
#include <thread>

#include <librdkafka/rdkafka.h>

#include "kafka/kafka_admin_client.hpp"
#include "src/log.hpp"

namespace logbase {

namespace {

/// Creates a topic; false when it exists already (created by someone else
/// after we looked, or not yet in the metadata we read).
bool create_topic(rd_kafka_t* rk, const topic_spec& spec) {
  char err[512];
  auto* nt = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, -1,
                                   err, sizeof(err));
  if (nt == nullptr)
    throw std::runtime_error("topic " + spec.name + ": " + err);
  for (auto& [k, v] : spec.configs)
    rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  queue q{rd_kafka_queue_new(rk)};
  auto* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, admin_timeout_ms, err,
                                              sizeof(err));
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q.get());
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  auto ev = wait_result(q.get(), "creating a topic");
  size_t n = 0;
  auto* result = rd_kafka_event_CreateTopics_result(ev.get());
  auto** topics = rd_kafka_CreateTopics_result_topics(result, &n);
  for (size_t i = 0; i < n; ++i) {
    auto code = rd_kafka_topic_result_error(topics[i]);
    if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      return false;
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error("cannot create topic " + spec.name + ": "
                               + rd_kafka_topic_result_error_string(topics[i]));
  }
  log(log_level::info, "kafka_admin", "created topic ", spec.name, " with ",
      spec.partitions, " partitions");
  return true;
}

/// A topic just created reaches the broker's metadata a moment later:
/// questions about it are asked again for up to this long.
constexpr int fresh_topic_wait_ms = 10'000;
constexpr int fresh_topic_step_ms = 100;

/// Partitions of one existing topic.
int32_t partitions_of(rd_kafka_t* rk, const std::string& name) {
  for (int waited = 0;; waited += fresh_topic_step_ms) {
    auto existing = existing_topics(rk);
    if (auto i = existing.find(name); i != existing.end())
      return i->second;
    if (waited >= fresh_topic_wait_ms)
      throw std::runtime_error("topic " + name
                               + " exists but the broker lists no partitions");
    std::this_thread::sleep_for(std::chrono::milliseconds(fresh_topic_step_ms));
  }
}

std::map<std::string, std::string> describe_once(rd_kafka_t* rk,
                                                 const std::string& name,
                                                 bool& unknown) {
  char err[512];
  auto* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC,
                                          name.c_str());
  queue q{rd_kafka_queue_new(rk)};
  auto* opts = rd_kafka_AdminOptions_new(rk,
                                         RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(opts, admin_timeout_ms, err,
                                            sizeof(err));
  rd_kafka_DescribeConfigs(rk, &res, 1, opts, q.get());
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_ConfigResource_destroy(res);
  auto ev = wait_result(q.get(), "describing a topic");
  size_t n = 0;
  auto* result = rd_kafka_event_DescribeConfigs_result(ev.get());
  auto** resources = rd_kafka_DescribeConfigs_result_resources(result, &n);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigResource_error(resources[i])
        == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      unknown = true;
      return {};
    }
    if (rd_kafka_ConfigResource_error(resources[i]))
      throw std::runtime_error("cannot describe topic " + name + ": "
                               + rd_kafka_ConfigResource_error_string(
                                 resources[i]));
    size_t m = 0;
    auto** entries = rd_kafka_ConfigResource_configs(resources[i], &m);
    for (size_t j = 0; j < m; ++j) {
      auto* value = rd_kafka_ConfigEntry_value(entries[j]);
      out[rd_kafka_ConfigEntry_name(entries[j])] = value ? value : "";
    }
  }
  return out;
}

std::map<std::string, std::string> describe(rd_kafka_t* rk,
                                            const std::string& name) {
  for (int waited = 0;; waited += fresh_topic_step_ms) {
    bool unknown = false;
    auto configs = describe_once(rk, name, unknown);
    if (!unknown)
      return configs;
    if (waited >= fresh_topic_wait_ms)
      throw std::runtime_error("cannot describe topic " + name
                               + ": the broker does not know it");
    std::this_thread::sleep_for(std::chrono::milliseconds(fresh_topic_step_ms));
  }
}

} // namespace

std::array<topic_spec, all_topics.size()> topic_specs(const config& cfg) {
  std::array<topic_spec, all_topics.size()> specs;
  auto& accounts = specs[static_cast<size_t>(topic::accounts)];
  accounts = {cfg.topic_name(topic::accounts), cfg.accounts_partitions,
              {{"cleanup.policy", "compact"}}};
  auto& events = specs[static_cast<size_t>(topic::events)];
  events = {cfg.topic_name(topic::events), cfg.events_partitions,
            {{"cleanup.policy", "delete"},
             {"retention.ms", std::to_string(cfg.events_retention_ms)},
             // Record time is happenedAt: retention runs on event time.
             {"message.timestamp.type", "CreateTime"}}};
  auto& ids = specs[static_cast<size_t>(topic::id_blocks)];
  ids = {cfg.topic_name(topic::id_blocks), 1, {{"cleanup.policy", "compact"}}};
  auto& changelog = specs[static_cast<size_t>(topic::stats_changelog)];
  changelog = {cfg.topic_name(topic::stats_changelog), cfg.events_partitions,
               {{"cleanup.policy", "compact"}}};
  auto& members = specs[static_cast<size_t>(topic::members)];
  members = {cfg.topic_name(topic::members), 1, {{"cleanup.policy", "compact"}}};
  return specs;
}

std::string contradiction(topic t, const topic_spec& spec,
                          const std::map<std::string, std::string>& actual) {
  auto get = [&](const std::string& k) {
    auto i = actual.find(k);
    return i == actual.end() ? std::string{} : i->second;
  };
  auto policy = get("cleanup.policy");
  bool compacted = policy.find("compact") != std::string::npos;
  bool deleting = policy.find("delete") != std::string::npos;
  switch (t) {
    case topic::accounts:
    case topic::id_blocks:
    case topic::stats_changelog:
    case topic::members:
      if (!compacted || deleting)
        return "topic " + spec.name + " has cleanup.policy=" + policy
               + " but must be compact only (nothing in it may expire)";
      break;
    case topic::events:
      if (!deleting || compacted)
        return "topic " + spec.name + " has cleanup.policy=" + policy
               + " but must be delete";
      if (get("retention.ms") != spec.configs.at("retention.ms"))
        return "topic " + spec.name + " has retention.ms="
               + get("retention.ms") + " but logbase is configured for "
               + spec.configs.at("retention.ms")
               + " (set events-retention-ms to match, or alter the topic)";
      if (get("message.timestamp.type") == "LogAppendTime")
        return "topic " + spec.name
               + " has message.timestamp.type=LogAppendTime, but record "
                 "time must be happenedAt (CreateTime)";
      break;
  }
  return {};
}

topic_layout ensure_topics(const config& cfg) {
  auto rk = connect(cfg);
  auto specs = topic_specs(cfg);
  auto existing = existing_topics(rk.get());
  topic_layout layout;
  for (auto t : all_topics) {
    auto& spec = specs[static_cast<size_t>(t)];
    if (existing.count(spec.name) == 0) {
      if (create_topic(rk.get(), spec)) {
        layout.partitions[static_cast<size_t>(t)] = spec.partitions;
        continue;
      }
      // It came into being since we looked: check it like any other.
      existing[spec.name] = partitions_of(rk.get(), spec.name);
    }
    layout.partitions[static_cast<size_t>(t)] = existing[spec.name];
    if (auto why = contradiction(t, spec, describe(rk.get(), spec.name));
        !why.empty())
      throw std::runtime_error(why);
  }
  // Counts must live in the partition of their events: same number.
  if (layout.of(topic::stats_changelog) != layout.of(topic::events))
    throw std::runtime_error(
      "topic " + cfg.topic_name(topic::stats_changelog) + " has "
      + std::to_string(layout.of(topic::stats_changelog))
      + " partitions but must be co-partitioned with "
      + cfg.topic_name(topic::events) + " ("
      + std::to_string(layout.of(topic::events)) + ")");
  if (layout.of(topic::id_blocks) != 1)
    throw std::runtime_error("topic " + cfg.topic_name(topic::id_blocks)
                             + " must have exactly one partition");
  return layout;
}

std::map<std::string, std::string> describe_topic_configs(
  const config& cfg, const std::string& topic_name) {
  auto rk = connect(cfg);
  return describe(rk.get(), topic_name);
}

} // namespace logbase
