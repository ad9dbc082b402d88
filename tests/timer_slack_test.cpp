// librdkafka's threads take the timer slack of the thread that creates
// their client (kafka_common.hpp says why that matters at idle).

#include <boost/test/unit_test.hpp>

#include <sys/prctl.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>

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

/// The librdkafka threads not in `known`, once a client has all of its
/// own: its threads start (and name themselves) after create() returns,
/// and the broker's own thread only once the client has the metadata, so
/// a listing right away may miss some (up to 10 s).
std::map<std::string, long>
settled_threads(RdKafka::Producer& p, const std::map<std::string, long>& known) {
  RdKafka::Metadata* md = nullptr;
  if (p.metadata(true, nullptr, &md, 10000) == RdKafka::ERR_NO_ERROR)
    delete md;
  std::map<std::string, long> fresh;
  for (int i = 0; i < 1000; ++i) {
    fresh.clear();
    for (auto& [tid, slack] : rdkafka_thread_slacks())
      if (known.count(tid) == 0)
        fresh[tid] = slack;
    auto comm_of = [](const std::string& tid) {
      std::string comm;
      std::ifstream{"/proc/self/task/" + tid + "/comm"} >> comm;
      return comm;
    };
    // A broker's thread (not the bootstrap's or the internal one, -1).
    for (auto& [tid, slack] : fresh) {
      auto comm = comm_of(tid);
      if (comm.rfind("rdk:broker", 0) == 0 && comm.size() > 10
          && comm[10] != '-')
        return fresh;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fresh;
}

} // namespace

BOOST_AUTO_TEST_SUITE(timer_slack_test)

BOOST_AUTO_TEST_CASE(a_client_made_under_the_guard_has_threads_with_a_millisecond_of_slack) {
  auto before = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  BOOST_REQUIRE_LT(before, 1'000'000L); // else the test proves nothing
  // Made without the guard: the process's own slack, so the check below
  // can tell the two apart.
  auto plain = make_producer();
  auto plain_threads = settled_threads(*plain, {});
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
  for (auto& [tid, slack] : settled_threads(*coarse, plain_threads)) {
    ++coarse_count;
    BOOST_TEST(slack == 1'000'000L, "thread " << tid);
  }
  BOOST_TEST(coarse_count >= 2); // its main thread and a broker's at least
}

BOOST_AUTO_TEST_SUITE_END()
