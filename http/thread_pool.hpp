#pragma once

/// httplib's task queue, elastic: a connection holds a worker thread for as
/// long as it is open (keep-alive, event streams), so a fixed pool either
/// wastes memory or turns clients away. This one keeps `min` threads ready,
/// starts one more whenever a connection finds none idle (up to `max`;
/// beyond that connections wait in line), and lets extra threads end after
/// a minute without work.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include <httplib.h>

namespace logbase {

class elastic_pool final : public httplib::TaskQueue {
public:
  elastic_pool(size_t min_threads, size_t max_threads,
               std::chrono::seconds idle_exit = std::chrono::seconds(60));

  ~elastic_pool() override;

  void enqueue(std::function<void()> job) override;

  /// Runs what is queued, then ends every thread and waits for them.
  void shutdown() override;

  /// Threads alive (busy or idle).
  size_t threads() const;

private:
  void start_thread(); // with mtx_ held
  void work();

  mutable std::mutex mtx_;
  std::condition_variable wake_;
  std::condition_variable ended_;
  std::deque<std::function<void()>> jobs_;
  size_t min_;
  size_t max_;
  std::chrono::seconds idle_exit_;
  size_t threads_ = 0;
  size_t idle_ = 0;
  bool stopping_ = false;
};

} // namespace logbase
