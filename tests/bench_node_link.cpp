// The floor under a read through a non-owner node (tools/bench-cluster runs
// it; it is no test): how long one bare CAF remote ask takes between two
// processes on this machine, against the same ask of an actor in the same
// process, with logbase's actor system settings (sharing scheduler, one
// actor thread, no BASP workers). A routed read can never cost less extra
// than the difference.
//
//   bench_node_link serve PORT SECONDS   publishes an echo actor
//   bench_node_link ask PORT N           N asks, one at a time, of the echo
//                                        actor at PORT and of a local one

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

caf::behavior echo() {
  return {[](int64_t x) { return x; }};
}

/// Asks `target` n times in a row; `done` gets each round trip in us.
void ask_in_a_row(caf::event_based_actor* self, caf::actor target, int n,
                  std::vector<double>* out, std::promise<void>* done) {
  if (static_cast<int>(out->size()) == n) {
    done->set_value();
    self->quit();
    return;
  }
  auto t0 = clock_type::now();
  self->request(target, caf::infinite, int64_t{1})
    .then([=](int64_t) {
      out->push_back(std::chrono::duration<double, std::micro>(
                       clock_type::now() - t0)
                       .count());
      ask_in_a_row(self, target, n, out, done);
    });
}

std::vector<double> time_asks(caf::actor_system& sys, caf::actor target,
                              int n) {
  std::vector<double> us;
  us.reserve(n);
  std::promise<void> done;
  auto finished = done.get_future();
  sys.spawn([&](caf::event_based_actor* self) {
    ask_in_a_row(self, target, n, &us, &done);
  });
  finished.wait();
  std::sort(us.begin(), us.end());
  return us;
}

double at(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_node_link serve PORT SECONDS | "
                         "ask PORT N\n");
    return 2;
  }
  std::string mode = argv[1];
  auto port = static_cast<uint16_t>(std::atoi(argv[2]));
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.workers", size_t{0});
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  if (mode == "serve") {
    auto e = sys.spawn(echo);
    if (!sys.middleman().publish(e, port, "127.0.0.1", true)) {
      std::fprintf(stderr, "bench_node_link: cannot listen on %u\n", port);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds{std::atoi(argv[3])});
    caf::anon_send_exit(e, caf::exit_reason::user_shutdown);
    return 0;
  }
  auto n = std::atoi(argv[3]);
  // The server may still be starting on a busy machine: up to 5 s.
  auto remote = sys.middleman().remote_actor("127.0.0.1", port);
  for (int tries = 0; !remote && tries < 50; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    remote = sys.middleman().remote_actor("127.0.0.1", port);
  }
  if (!remote) {
    std::fprintf(stderr, "bench_node_link: cannot reach port %u: %s\n", port,
                 sys.render(remote.error()).c_str());
    return 1;
  }
  time_asks(sys, *remote, n / 10); // warm-up
  auto far = time_asks(sys, *remote, n);
  auto local = sys.spawn(echo);
  auto near = time_asks(sys, local, n);
  std::printf("node_link n=%d remote_p50_us=%.0f remote_p99_us=%.0f "
              "local_p50_us=%.0f local_p99_us=%.0f\n",
              n, at(far, 0.5), at(far, 0.99), at(near, 0.5), at(near, 0.99));
  caf::anon_send_exit(local, caf::exit_reason::user_shutdown);
  return 0;
}
