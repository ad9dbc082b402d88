#include "kafka/kafka_maintenance.hpp"

#include <chrono>
#include <map>
#include <set>
#include <stdexcept>

#include "kafka/kafka_admin_client.hpp"

namespace logbase {

namespace {

rd_kafka_AdminOptions_t* options(rd_kafka_t* rk, rd_kafka_admin_op_t op) {
  char err[512];
  auto* opts = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_request_timeout(opts, admin_timeout_ms, err,
                                            sizeof(err));
  return opts;
}

std::string error_text(const rd_kafka_error_t* e) {
  return e ? rd_kafka_error_string(e) : "";
}

} // namespace

group_state describe_group(const config& cfg, const std::string& group) {
  auto rk = connect(cfg);
  queue q{rd_kafka_queue_new(rk.get())};
  const char* groups[] = {group.c_str()};
  auto* opts = options(rk.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  rd_kafka_DescribeConsumerGroups(rk.get(), groups, 1, opts, q.get());
  rd_kafka_AdminOptions_destroy(opts);
  auto ev = wait_result(q.get(), "describing a consumer group");
  size_t n = 0;
  auto** descs = rd_kafka_DescribeConsumerGroups_result_groups(
    rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  group_state out;
  for (size_t i = 0; i < n; ++i) {
    if (auto* e = rd_kafka_ConsumerGroupDescription_error(descs[i]))
      throw std::runtime_error("cannot describe group " + group + ": "
                               + error_text(e));
    out.state = rd_kafka_consumer_group_state_name(
      rd_kafka_ConsumerGroupDescription_state(descs[i]));
    auto members = rd_kafka_ConsumerGroupDescription_member_count(descs[i]);
    for (size_t m = 0; m < members; ++m) {
      auto* member = rd_kafka_ConsumerGroupDescription_member(descs[i], m);
      auto* instance = rd_kafka_MemberDescription_group_instance_id(member);
      out.members.push_back(
        std::string{instance ? instance
                             : rd_kafka_MemberDescription_client_id(member)}
        + "@" + rd_kafka_MemberDescription_host(member));
    }
  }
  return out;
}

std::vector<std::string> groups_reading(const config& cfg,
                                        const std::string& topic) {
  auto rk = connect(cfg);
  std::vector<std::string> all;
  {
    queue q{rd_kafka_queue_new(rk.get())};
    auto* opts = options(rk.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_ListConsumerGroups(rk.get(), opts, q.get());
    rd_kafka_AdminOptions_destroy(opts);
    auto ev = wait_result(q.get(), "listing consumer groups");
    size_t n = 0;
    auto** listed = rd_kafka_ListConsumerGroups_result_valid(
      rd_kafka_event_ListConsumerGroups_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i)
      all.emplace_back(rd_kafka_ConsumerGroupListing_group_id(listed[i]));
  }
  std::vector<std::string> out;
  for (auto& group : all) {
    queue q{rd_kafka_queue_new(rk.get())};
    auto* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(),
                                                          nullptr);
    auto* opts = options(rk.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    // Offsets of transactions still open count as committed here.
    rd_kafka_AdminOptions_set_require_stable_offsets(opts, 0);
    rd_kafka_ListConsumerGroupOffsets(rk.get(), &request, 1, opts, q.get());
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ListConsumerGroupOffsets_destroy(request);
    auto ev = wait_result(q.get(), "listing a group's offsets");
    size_t n = 0;
    auto** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
    bool reads = false;
    for (size_t i = 0; i < n; ++i)
      if (auto* parts = rd_kafka_group_result_partitions(results[i]))
        for (int p = 0; p < parts->cnt; ++p)
          reads = reads || (topic == parts->elems[p].topic
                            && parts->elems[p].offset >= 0);
    if (reads)
      out.push_back(group);
  }
  return out;
}

std::vector<std::string> topics_present(const config& cfg,
                                        const std::vector<std::string>& names) {
  auto rk = connect(cfg);
  auto existing = existing_topics(rk.get());
  std::vector<std::string> out;
  for (auto& name : names)
    if (existing.count(name) != 0)
      out.push_back(name);
  return out;
}

void delete_topics(const config& cfg, const std::vector<std::string>& names) {
  if (names.empty())
    return;
  auto rk = connect(cfg);
  std::vector<rd_kafka_DeleteTopic_t*> doomed;
  for (auto& name : names)
    doomed.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  queue q{rd_kafka_queue_new(rk.get())};
  auto* opts = options(rk.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS);
  char err[512];
  rd_kafka_AdminOptions_set_operation_timeout(opts, admin_timeout_ms, err,
                                              sizeof(err));
  rd_kafka_DeleteTopics(rk.get(), doomed.data(), doomed.size(), opts,
                        q.get());
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_DeleteTopic_destroy_array(doomed.data(), doomed.size());
  auto ev = wait_result(q.get(), "deleting topics");
  size_t n = 0;
  auto** results = rd_kafka_DeleteTopics_result_topics(
    rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    auto code = rd_kafka_topic_result_error(results[i]);
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR
        && code != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      throw std::runtime_error(
        std::string{"cannot delete topic "}
        + rd_kafka_topic_result_name(results[i]) + ": "
        + rd_kafka_topic_result_error_string(results[i]));
  }
}

window_census count_windows(const config& cfg, const std::string& changelog,
                            int32_t first_kept_day) {
  auto rk = connect(cfg, RD_KAFKA_CONSUMER,
                    {{"group.id", "logbase-reset-census"},
                     {"enable.auto.commit", "false"},
                     {"enable.partition.eof", "true"},
                     {"isolation.level", "read_committed"}});
  auto partitions = existing_topics(rk.get())[changelog];
  if (partitions == 0)
    return {};
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, changelog.c_str(), p)->offset
      = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  // Last value per key: a count, or forgotten (tombstone).
  std::map<std::string, bool> live;
  std::set<int32_t> at_end;
  auto give_up = std::chrono::steady_clock::now()
                 + std::chrono::milliseconds{admin_timeout_ms * 4};
  while (static_cast<int32_t>(at_end.size()) < partitions) {
    if (std::chrono::steady_clock::now() > give_up)
      throw std::runtime_error("reading " + changelog + " took too long");
    auto* m = rd_kafka_consumer_poll(rk.get(), 500);
    if (m == nullptr)
      continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string why = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      throw std::runtime_error("reading " + changelog + ": " + why);
    } else if (m->key_len >= 12) {
      std::string key{static_cast<const char*>(m->key), m->key_len};
      live[key] = m->payload != nullptr;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  window_census out;
  for (auto& [key, is_live] : live) {
    if (!is_live || key == "__checkpoint")
      continue;
    ++out.windows;
    auto day = static_cast<int32_t>(
      (static_cast<uint32_t>(static_cast<unsigned char>(key[8])) << 24)
      | (static_cast<uint32_t>(static_cast<unsigned char>(key[9])) << 16)
      | (static_cast<uint32_t>(static_cast<unsigned char>(key[10])) << 8)
      | static_cast<uint32_t>(static_cast<unsigned char>(key[11])));
    if (day < first_kept_day)
      ++out.older;
  }
  return out;
}

} // namespace logbase
