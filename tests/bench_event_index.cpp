// tools/bench: listing cost and memory of the event index. Ratios are taken
// within one run (the machine is shared and noisy); absolute numbers are
// only for orientation.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "src/event_index.hpp"
#include "src/time.hpp"

using namespace logbase;

namespace {

constexpr int64_t t0 = int64_t{1714557600} * ns_per_second;
constexpr int64_t target = 1;
constexpr int target_events = 100;

long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return 0;
}

/// An index of `total` events: `target_events` of account 1, the rest
/// spread over 1000 other accounts, interleaved as they would arrive.
event_index build(int64_t total) {
  event_index idx;
  std::mt19937_64 rng{1};
  int64_t offset = 0;
  int placed = 0;
  for (int64_t i = 0; i < total; ++i) {
    bool mine = placed < target_events
                && i % (total / target_events) == 0;
    int64_t account = mine ? target : 2 + static_cast<int64_t>(rng() % 1000);
    placed += mine;
    idx.add({account, i % 2 ? "login" : "view", t0 + i * 1000, -1}, offset++);
  }
  return idx;
}

/// The original's way: look at every record of the partition.
struct scan_baseline {
  std::vector<std::pair<int64_t, int64_t>> records; // account, time
  size_t query(int64_t account) const {
    size_t n = 0;
    for (auto& [a, t] : records)
      n += a == account;
    return n;
  }
};

template <class F>
double ns_per_call(F&& f, int reps) {
  auto start = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < reps; ++i)
    sink += f();
  auto ns = std::chrono::duration<double, std::nano>(
              std::chrono::steady_clock::now() - start)
              .count();
  if (sink == 0)
    std::printf("(nothing found)\n");
  return ns / reps;
}

} // namespace

int main() {
  // Memory first, on a fresh heap, so that RSS growth is the index's.
  std::printf("== memory per indexed event (1,000,000 events, 1001 accounts)\n");
  {
    auto before = rss_kib();
    auto idx = build(1'000'000);
    auto after = rss_kib();
    std::printf("entries: %.1f bytes/event (24 bytes + vector slack); "
                "process RSS grew %.1f bytes/event\n",
                static_cast<double>(idx.entry_bytes()) / idx.size(),
                (after - before) * 1024.0 / idx.size());
  }
  event_query q;
  q.account_id = target;
  q.limit = 1000;
  std::printf("== listing one account (%d events) among N events\n",
              target_events);
  double small_ns = 0;
  for (int64_t total : {int64_t{10'000}, int64_t{1'000'000}}) {
    auto idx = build(total);
    auto ns = ns_per_call([&] { return idx.query(q).size(); }, 2000);
    scan_baseline scan;
    for (int64_t i = 0; i < total; ++i)
      scan.records.emplace_back(i % 1000, i);
    auto scan_ns = ns_per_call([&] { return scan.query(target); }, 20);
    if (small_ns == 0)
      small_ns = ns;
    std::printf("N=%-8lld index: %9.0f ns/list   partition scan: %12.0f ns/list"
                "   index cost vs N=10000: %.2fx\n",
                static_cast<long long>(total), ns, scan_ns, ns / small_ns);
  }
  return 0;
}
