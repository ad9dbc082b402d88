#include <atomic>
#include <mutex>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace logbase;
using namespace logbase::test;
using namespace std::chrono_literals;

namespace {

/// An SSE client on a thread of its own: collects what the stream sends.
class sse_reader {
public:
  sse_reader(uint16_t port, const std::string& path,
             httplib::Headers headers = {})
    : client_("127.0.0.1", port) {
    client_.set_read_timeout(60, 0);
    thread_ = std::thread{[this, path, headers] {
      client_.Get(path, headers, [this](const char* data, size_t n) {
        std::lock_guard<std::mutex> guard{mtx_};
        text_.append(data, n);
        return !stop_;
      });
      done_ = true;
    }};
  }

  ~sse_reader() {
    leave();
  }

  /// Waits until the stream's text contains `needle`.
  bool wait_for(const std::string& needle,
                std::chrono::milliseconds timeout = 5000ms) {
    return wait_until(
      [&] { return text().find(needle) != std::string::npos; }, timeout, 10ms);
  }

  std::string text() {
    std::lock_guard<std::mutex> guard{mtx_};
    return text_;
  }

  /// Disconnects (the receiver says stop at the next chunk).
  void leave() {
    stop_ = true;
    client_.stop();
    if (thread_.joinable())
      thread_.join();
  }

  bool done() const {
    return done_;
  }

private:
  httplib::Client client_;
  std::thread thread_;
  std::mutex mtx_;
  std::string text_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
};


} // namespace

BOOST_AUTO_TEST_SUITE(streams_api)

BOOST_AUTO_TEST_CASE(streams_push_new_events_and_share_one_key_consumer) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto path = "/accounts/" + std::to_string(id) + "/events/stream";
  BOOST_TEST(c.Get("/accounts/999999/events/stream")->status == 404);
  sse_reader one{s.port(), path};
  sse_reader two{s.port(), path};
  BOOST_REQUIRE(one.wait_for(": connected"));
  BOOST_REQUIRE(two.wait_for(": connected"));
  // Both readers joined (join is asynchronous to the hello line).
  wait_until([&] { return metric_of(s, "logbase_stream_readers") >= 2; }, 2s,
             20ms);
  BOOST_TEST(metric_of(s, "logbase_stream_readers") == 2);
  BOOST_TEST(metric_of(s, "logbase_key_consumers") == 1);
  auto sent = std::chrono::steady_clock::now();
  BOOST_TEST(post_events(c, id, R"({"type":"pushed"})") == 201);
  BOOST_TEST(one.wait_for("\"pushed\"", 1000ms));
  BOOST_TEST(two.wait_for("\"pushed\"", 1000ms));
  BOOST_TEST((std::chrono::steady_clock::now() - sent < 2s));
  BOOST_TEST(one.text().find("id: ") != std::string::npos);
  one.leave();
  two.leave();
  // Gone readers free the key consumer.
  wait_until([&] { return metric_of(s, "logbase_key_consumers") == 0; }, 5s);
  BOOST_TEST(metric_of(s, "logbase_key_consumers") == 0);
  BOOST_TEST(metric_of(s, "logbase_stream_readers") == 0);
}

BOOST_AUTO_TEST_CASE(streams_never_take_all_workers) {
  deployment d;
  server s{d, {"--http-threads=4"}}; // at most 2 streams
  auto c = s.client();
  auto id = create_account(c, "a");
  auto path = "/accounts/" + std::to_string(id) + "/events/stream";
  sse_reader one{s.port(), path};
  sse_reader two{s.port(), path};
  BOOST_REQUIRE(one.wait_for(": connected"));
  BOOST_REQUIRE(two.wait_for(": connected"));
  auto third = c.Get(path);
  BOOST_REQUIRE(third);
  BOOST_TEST(third->status == 503);
  BOOST_TEST(error_code_of(third->body) == "too_many_streams");
  // Requests are still served, and a freed slot takes a new stream.
  BOOST_TEST(post_events(c, id, R"({"type":"x"})") == 201);
  one.leave();
  bool streamed = false;
  for (int i = 0; i < 50 && !streamed; ++i) {
    sse_reader again{s.port(), path};
    streamed = again.wait_for(": connected", 200ms);
  }
  BOOST_TEST(streamed);
}

BOOST_AUTO_TEST_CASE(streams_replay_from_a_time_or_resume_after_an_id) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto path = "/accounts/" + std::to_string(id) + "/events/stream";
  BOOST_TEST(post_events(c, id, "{\"type\":\"old\",\"happenedAt\":\""
                                  + iso_now(-2h) + "\"}")
             == 201);
  BOOST_TEST(post_events(c, id, R"({"type":"recent"})") == 201);
  sse_reader from{s.port(), path + "?from=" + iso_now(-3h)};
  BOOST_TEST(from.wait_for("\"recent\""));
  BOOST_TEST(from.text().find("\"old\"") < from.text().find("\"recent\""));
  // Resume after the first event's id: only the second comes again.
  auto text = from.text();
  auto at = text.find("id: ");
  auto first_id = text.substr(at + 4, text.find('\n', at) - at - 4);
  sse_reader resumed{s.port(), path, {{"Last-Event-ID", first_id}}};
  BOOST_TEST(resumed.wait_for("\"recent\""));
  BOOST_TEST(resumed.text().find("\"old\"") == std::string::npos);
  // Deleting the account ends its streams.
  BOOST_TEST(c.Delete("/accounts/" + std::to_string(id))->status == 204);
  BOOST_TEST(from.wait_for("event: end"));
}
BOOST_AUTO_TEST_SUITE_END()
