#include "src/feed_start.hpp"

namespace logbase {

feed_start plan_feed_start(const std::vector<assignment>& parts,
                           const std::vector<int64_t>& first,
                           const std::vector<int64_t>& end) {
  feed_start plan;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto a = parts[i];
    auto known_first = i < first.size() && first[i] >= 0;
    auto known_end = i < end.size() && end[i] >= 0;
    if (a.start_offset < 0 && known_first)
      a.start_offset = first[i];
    if (a.start_offset >= 0 && known_end && a.start_offset >= end[i]) {
      plan.at_end.push_back(a);
      plan.read_later.push_back(a);
    } else {
      plan.read_now.push_back(a);
      if (known_end)
        plan.ends.push_back(assignment{a.topic_id, a.partition, end[i]});
    }
  }
  return plan;
}

} // namespace logbase
