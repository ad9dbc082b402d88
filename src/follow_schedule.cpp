#include "src/follow_schedule.hpp"

#include <algorithm>

namespace logbase {

bool follow_schedule::pause_after(key k, int64_t now_ns) {
  auto i = followed_.find(k);
  if (i == followed_.end() || i->second.paused)
    return false;
  i->second = state{true, now_ns + interval_ns_};
  return true;
}

std::vector<follow_schedule::key> follow_schedule::due(int64_t now_ns) {
  std::vector<key> out;
  for (auto& [k, s] : followed_)
    if (s.paused && s.resume_at_ns <= now_ns) {
      s.paused = false;
      out.push_back(k);
    }
  return out;
}

int64_t follow_schedule::wait_ns(int64_t now_ns) const {
  int64_t best = -1;
  for (auto& [k, s] : followed_)
    if (s.paused) {
      auto w = std::max<int64_t>(0, s.resume_at_ns - now_ns);
      best = best < 0 ? w : std::min(best, w);
    }
  return best;
}

} // namespace logbase
