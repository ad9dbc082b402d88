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

BOOST_AUTO_TEST_SUITE(streams_api_test)

BOOST_AUTO_TEST_CASE(streams_push_new_events_and_share_one_account_stream) {
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
  wait_until([&] { return metric_of(s, "logbase_stream_readers") >= 2; }, 10s,
             20ms);
  BOOST_TEST(metric_of(s, "logbase_stream_readers") == 2);
  BOOST_TEST(metric_of(s, "logbase_account_streams") == 1);
  // Pushed to both: the bounds only catch an event that never comes (how
  // fast it comes is tools/bench's figure; a loaded machine is slow).
  BOOST_TEST(post_events(c, id, R"({"type":"pushed"})") == 201);
  BOOST_TEST(one.wait_for("\"pushed\"", 10s));
  BOOST_TEST(two.wait_for("\"pushed\"", 10s));
  BOOST_TEST(one.text().find("id: ") != std::string::npos);
  one.leave();
  two.leave();
  // Gone readers free the key consumer.
  wait_until([&] { return metric_of(s, "logbase_account_streams") == 0; }, 5s);
  BOOST_TEST(metric_of(s, "logbase_account_streams") == 0);
  BOOST_TEST(metric_of(s, "logbase_stream_readers") == 0);
}

BOOST_AUTO_TEST_CASE(streams_beyond_max_streams_get_503) {
  deployment d;
  server s{d, {"--max-streams=2"}};
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
BOOST_AUTO_TEST_CASE(hundreds_of_streams_get_every_event_while_requests_go_on) {
  deployment d;
  server s{d, {"--http-threads=4"}}; // the pool grows past its minimum
  auto c = s.client();
  auto id = create_account(c, "a");
  auto path = "/accounts/" + std::to_string(id) + "/events/stream";
  constexpr int streams = 300;
  std::vector<std::unique_ptr<sse_reader>> readers;
  for (int i = 0; i < streams; ++i)
    readers.push_back(std::make_unique<sse_reader>(s.port(), path));
  for (auto& r : readers)
    BOOST_REQUIRE(r->wait_for(": connected", 20s));
  BOOST_TEST(metric_of(s, "logbase_http_streams") == streams);
  // Requests are answered while every stream holds its connection.
  BOOST_TEST(c.Get("/accounts/" + std::to_string(id))->status == 200);
  BOOST_TEST(post_events(c, id, R"({"type":"to_all"})") == 201);
  int received = 0;
  for (auto& r : readers)
    received += r->wait_for("\"to_all\"", 10s) ? 1 : 0;
  BOOST_TEST(received == streams);
  readers.clear();
  // Gone clients free their streams and their threads.
  wait_until([&] { return metric_of(s, "logbase_http_streams") == 0; }, 10s);
  BOOST_TEST(metric_of(s, "logbase_http_streams") == 0);
  BOOST_TEST(metric_of(s, "logbase_stream_readers") == 0);
}

BOOST_AUTO_TEST_CASE(shutdown_ends_every_stream_with_an_end_event) {
  deployment d;
  server s{d};
  auto c = s.client();
  auto id = create_account(c, "a");
  auto path = "/accounts/" + std::to_string(id) + "/events/stream";
  std::vector<std::unique_ptr<sse_reader>> readers;
  for (int i = 0; i < 50; ++i)
    readers.push_back(std::make_unique<sse_reader>(s.port(), path));
  for (auto& r : readers)
    BOOST_REQUIRE(r->wait_for(": connected", 20s));
  BOOST_TEST(s.stop() == 0);
  int ended = 0;
  for (auto& r : readers)
    ended += r->wait_for("event: end", 10s) // a bound for hangs only
                 && r->text().find("shutting down") != std::string::npos
               ? 1
               : 0;
  BOOST_TEST(ended == 50);
}

BOOST_AUTO_TEST_SUITE_END()
