// `logbase reset` and `logbase purge` (run by tools/reset and tools/purge):
// like Kafka Streams' application reset, and like the original app's
// purge.sh. Both list what they would delete, say what is lost, ask, and
// refuse while a node of an app id concerned is still in its group.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/config.hpp"
#include "kafka/kafka_maintenance.hpp"
#include "app/maintenance_main.hpp"
#include "src/time.hpp"

namespace logbase {

namespace {

/// The config from the flags (`--yes` taken out), environment included.
config command_config(std::vector<std::string> args,
                      const std::map<std::string, std::string>& environment,
                      bool& yes) {
  yes = false;
  std::erase_if(args, [&](const std::string& a) {
    return a == "--yes" ? (yes = true) : false;
  });
  return load_config(args, environment);
}

/// Nodes still in the groups of `app_ids`: a message saying who, or "".
std::string running_nodes(const config& cfg,
                          const std::vector<std::string>& app_ids) {
  std::string out;
  for (auto& app : app_ids) {
    auto group = describe_group(cfg, app);
    if (group.members.empty())
      continue;
    out += "  app id " + app + ": " + std::to_string(group.members.size())
           + " node(s) running:";
    for (auto& m : group.members)
      out += " " + m;
    out += "\n";
  }
  return out;
}

/// Lists `doomed`, asks (unless `yes`), deletes; the exit status.
int delete_if_confirmed(const config& cfg, bool yes,
                        const std::vector<std::string>& doomed) {
  std::cout << "Topics to delete:\n";
  for (auto& t : doomed)
    std::cout << "  " << t << "\n";
  if (!yes) {
    std::cout << "Type yes to delete them: " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "yes") {
      std::cout << "nothing deleted\n";
      return 1;
    }
  }
  delete_topics(cfg, doomed);
  std::cout << "deleted " << doomed.size() << " topics\n";
  return 0;
}

int refuse_running(const std::string& who) {
  std::cerr << "refusing: nodes that use these topics are running\n" << who
            << "Stop them first. A stopped node leaves its group within "
               "session-timeout-ms (6 s by default).\n";
  return 3;
}

std::string changelog_of(const config& cfg, const std::string& app) {
  config other = cfg;
  other.app_id = app;
  return other.topic_name(topic::stats_changelog);
}

std::string members_of(const config& cfg, const std::string& app) {
  config other = cfg;
  other.app_id = app;
  return other.topic_name(topic::members);
}

int reset(const config& cfg, bool yes) {
  if (auto who = running_nodes(cfg, {cfg.app_id}); !who.empty())
    return refuse_running(who);
  auto changelog = changelog_of(cfg, cfg.app_id);
  auto doomed = topics_present(cfg, {changelog, members_of(cfg, cfg.app_id)});
  if (doomed.empty()) {
    std::cout << "app id " << cfg.app_id << " has nothing to reset\n";
    return 0;
  }
  using namespace std::chrono;
  auto now_ns = duration_cast<nanoseconds>(system_clock::now().time_since_epoch())
                  .count();
  auto retention_days = static_cast<int32_t>(
    (cfg.events_retention_ms + 86'400'000 - 1) / 86'400'000);
  auto first_kept = day_of(now_ns) - retention_days;
  auto census = count_windows(cfg, changelog, first_kept);
  std::cout << "The statistics of app id " << cfg.app_id << " will be rebuilt "
            << "from " << cfg.topic_name(topic::events)
            << " when its nodes start again.\n"
            << census.windows << " daily windows are in " << changelog
            << "; " << census.older << " of them are of days before "
            << format_day(first_kept) << ", older than the events' retention ("
            << retention_days << " days): their events are gone, so "
            << (census.older == 0 ? "none is lost.\n"
                                  : "those counts are LOST for good.\n");
  return delete_if_confirmed(cfg, yes, doomed);
}

int purge(const config& cfg, bool yes) {
  auto events = cfg.topic_name(topic::events);
  auto apps = groups_reading(cfg, events);
  if (std::find(apps.begin(), apps.end(), cfg.app_id) == apps.end())
    apps.push_back(cfg.app_id);
  if (auto who = running_nodes(cfg, apps); !who.empty())
    return refuse_running(who);
  std::vector<std::string> names{cfg.topic_name(topic::accounts), events,
                                 cfg.topic_name(topic::id_blocks)};
  for (auto& app : apps) {
    names.push_back(changelog_of(cfg, app));
    names.push_back(members_of(cfg, app));
  }
  auto doomed = topics_present(cfg, names);
  if (doomed.empty()) {
    std::cout << "nothing to purge\n";
    return 0;
  }
  std::cout << "Every account, event and count in these topics is LOST for "
               "good (app ids: ";
  for (size_t i = 0; i < apps.size(); ++i)
    std::cout << (i ? ", " : "") << apps[i];
  std::cout << ").\n";
  return delete_if_confirmed(cfg, yes, doomed);
}

} // namespace

int run_maintenance(const std::string& command,
                    const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& environment) {
  try {
    bool yes = false;
    auto cfg = command_config(args, environment, yes);
    return command == "reset" ? reset(cfg, yes) : purge(cfg, yes);
  } catch (const std::exception& e) {
    std::cerr << "logbase " << command << ": " << e.what() << "\n";
    return 2;
  }
}

} // namespace logbase
