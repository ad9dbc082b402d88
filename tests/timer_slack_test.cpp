// librdkafka's threads take the timer slack of the thread that creates
// their client (kafka_common.hpp says why that matters at idle).

#include <boost/test/unit_test.hpp>

#include <sys/prctl.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "kafka/kafka_common.hpp"
#include "support.hpp"

using namespace logbase;
using namespace logbase::test;

namespace {

/// The timer slack (ns) of each of this process's librdkafka threads.
std::map<std::string, long> rdkafka_thread_slacks() {
  std::map<std::string, long> out;
  for (auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string comm;
    std::ifstream{t.path() / "comm"} >> comm;
    if (comm.rfind("rdk:", 0) != 0)
      continue;
    long slack = -1;
    auto tid = t.path().filename().string();
    std::ifstream{"/proc/" + tid + "/timerslack_ns"} >> slack;
    out[tid] = slack;
  }
  return out;
}

std::unique_ptr<RdKafka::Producer> make_producer() {
  config cfg;
  cfg.bootstrap_servers = bootstrap();
  std::string err;
  auto conf = make_conf(cfg, {}, err);
  BOOST_REQUIRE_MESSAGE(conf, err);
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  BOOST_REQUIRE_MESSAGE(p, err);
  return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(timer_slack_test)

BOOST_AUTO_TEST_CASE(a_client_made_under_the_guard_has_threads_with_a_millisecond_of_slack) {
  auto before = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  BOOST_REQUIRE_LT(before, 1'000'000L); // else the test proves nothing
  // Made without the guard: the process's own slack, so the check below
  // can tell the two apart.
  auto plain = make_producer();
  auto plain_threads = rdkafka_thread_slacks();
  BOOST_REQUIRE(!plain_threads.empty());
  for (auto& [tid, slack] : plain_threads)
    BOOST_TEST(slack == before, "thread " << tid);
  std::unique_ptr<RdKafka::Producer> coarse;
  {
    coarse_timer_slack guard;
    BOOST_TEST(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 1'000'000L);
    coarse = make_producer();
  }
  BOOST_TEST(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == before);
  int coarse_count = 0;
  for (auto& [tid, slack] : rdkafka_thread_slacks()) {
    if (plain_threads.count(tid) != 0)
      continue;
    ++coarse_count;
    BOOST_TEST(slack == 1'000'000L, "thread " << tid);
  }
  BOOST_TEST(coarse_count >= 2); // its main thread and a broker's at least
}

BOOST_AUTO_TEST_SUITE_END()
