#include "src/key_gate.hpp"

namespace logbase {

void key_gate::enter(int64_t key, mode m, std::function<void()> command) {
  auto& s = keys_[key];
  bool free = !s.exclusive && s.queue.empty()
              && (m == mode::shared || s.shared == 0);
  if (!free) {
    s.queue.push_back(waiting{m, std::move(command)});
    return;
  }
  if (m == mode::shared)
    ++s.shared;
  else
    s.exclusive = true;
  command();
}

void key_gate::leave(int64_t key, mode m) {
  auto i = keys_.find(key);
  if (i == keys_.end())
    return;
  auto& s = i->second;
  if (m == mode::shared) {
    if (s.shared > 0)
      --s.shared;
  } else {
    s.exclusive = false;
  }
  start_waiting(key);
}

int key_gate::running(int64_t key) const {
  auto i = keys_.find(key);
  if (i == keys_.end())
    return 0;
  return i->second.shared + (i->second.exclusive ? 1 : 0);
}

void key_gate::start_waiting(int64_t key) {
  // Commands may enter or leave this key while one of them runs, so look
  // the slot up again after every call.
  for (;;) {
    auto i = keys_.find(key);
    if (i == keys_.end())
      return;
    auto& s = i->second;
    if (s.queue.empty()) {
      if (s.shared == 0 && !s.exclusive)
        keys_.erase(i);
      return;
    }
    auto& next = s.queue.front();
    if (s.exclusive || (next.m == mode::exclusive && s.shared > 0))
      return;
    auto w = std::move(next);
    s.queue.pop_front();
    if (w.m == mode::shared)
      ++s.shared;
    else
      s.exclusive = true;
    w.command();
  }
}

} // namespace logbase
