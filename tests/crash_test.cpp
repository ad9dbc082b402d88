#include <atomic>
#include <random>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(crash_test)

// Events are published while the server is killed with SIGKILL at random
// moments and restarted. Afterwards every event on the topic is counted
// exactly once: no loss (each answered 201 is counted), no double count.
BOOST_AUTO_TEST_CASE(kill_minus_nine_loses_and_doubles_nothing) {
  deployment d;
  const int kills = 20;
  const int batch = 10;
  auto port = free_port();
  auto s = std::make_unique<server>(d, std::vector<std::string>{}, true, port);
  std::vector<int64_t> ids;
  {
    auto c = s->client();
    for (int i = 0; i < 3; ++i)
      ids.push_back(create_account(c, "crash" + std::to_string(i)));
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acknowledged{0};
  std::atomic<int64_t> attempts{0};
  std::thread writer{[&] {
    std::mt19937 rng{42};
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(20, 0);
    c.set_connection_timeout(1, 0);
    while (!stop) {
      auto id = ids[rng() % ids.size()];
      std::string body = "[";
      for (int i = 0; i < batch; ++i)
        body += std::string(i ? "," : "") + "{\"type\":\"t" + std::to_string(rng() % 3)
                + "\",\"happenedAt\":\"" + iso_now(-std::chrono::hours(rng() % 72))
                + "\"}";
      body += "]";
      ++attempts;
      auto res = c.Post("/accounts/" + std::to_string(id) + "/events", body,
                        "application/json");
      if (res && res->status == 201)
        acknowledged += batch;
      else
        std::this_thread::sleep_for(50ms);
    }
  }};
  std::mt19937 rng{7};
  try {
    for (int k = 0; k < kills; ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(700 + rng() % 1500));
      s->kill9();
      s = std::make_unique<server>(d, std::vector<std::string>{}, true, port);
    }
  } catch (...) {
    // A restart that fails fails the test, with its message (not an abort
    // on the running writer thread).
    stop = true;
    writer.join();
    throw;
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();
  // One more crash after the last write, then a clean read.
  s->kill9();
  s = std::make_unique<server>(d, std::vector<std::string>{}, true, port);
  auto c = s->client();
  int64_t counted = 0;
  for (auto id : ids)
    counted += sum_of_counts(
      get_ok(c, "/accounts/" + std::to_string(id) + "/statistics"));
  auto on_topic = static_cast<int64_t>(read_topic(d.events_topic).size());
  BOOST_TEST_MESSAGE("crash test: " << kills + 1 << " kills, "
                     << attempts.load() << " POSTs of " << batch
                     << " events, " << acknowledged.load()
                     << " events answered 201, " << on_topic
                     << " on the topic, " << counted << " counted");
  std::cout << "crash test: " << kills + 1 << " kills, " << attempts.load()
            << " POSTs of " << batch << " events, " << acknowledged.load()
            << " events answered 201, " << on_topic << " on the topic, "
            << counted << " counted\n";
  BOOST_TEST(acknowledged.load() > 0);
  BOOST_TEST(counted == on_topic);           // exactly once
  BOOST_TEST(counted >= acknowledged.load()); // nothing answered is lost
}

BOOST_AUTO_TEST_SUITE_END()
