#include "sse.hpp"

#include <atomic>
#include <chrono>
#include <memory>

#include <caf/all.hpp>

#include "json.hpp"

namespace logbase {

namespace {

class sse_session {
public:
  sse_session(caf::actor_system& sys, event_log_actor log, event_query q)
    : self_(sys), log_(std::move(log)), query_(std::move(q)) {
    // nop
  }

  ~sse_session() {
    close();
  }

  /// Called by httplib whenever it can write: false ends the response.
  bool pump(httplib::DataSink& sink) {
    if (!joined_) {
      joined_ = true;
      self_->send(log_, join_atom::value, query_, reader());
      // Tells the client (and tests) that the stream is live.
      static constexpr std::string_view hello = ": connected\n\n";
      return sink.write(hello.data(), hello.size());
    }
    bool keep = true;
    self_->receive(
      [&](stream_atom, const std::vector<event>& events) {
        std::string out;
        for (auto& e : events) {
          out += "id: " + std::to_string(e.offset) + "\ndata: ";
          out += event_json(e);
          out += "\n\n";
        }
        keep = sink.write(out.data(), out.size());
        auto ks = caf::actor_cast<key_consumer_actor>(self_->current_sender());
        if (keep && ks)
          self_->send(ks, ack_atom::value, reader(),
                      static_cast<int64_t>(events.size()));
      },
      [&](end_atom, const std::string& reason) {
        std::string out = "event: end\ndata: {\"reason\":";
        append_json_string(out, reason);
        out += "}\n\n";
        sink.write(out.data(), out.size());
        sink.done();
        keep = false;
      },
      caf::after(std::chrono::seconds(sse_keepalive_seconds)) >> [&] {
        static constexpr std::string_view ping = ": keep-alive\n\n";
        keep = sink.write(ping.data(), ping.size());
      });
    return keep;
  }

  /// The client left or the stream ended: leave exactly once.
  void close() {
    if (joined_ && !closed_) {
      closed_ = true;
      self_->send(log_, leave_atom::value, query_.account_id, reader());
    }
  }

private:
  stream_reader_actor reader() {
    return caf::actor_cast<stream_reader_actor>(self_.ptr());
  }

  caf::scoped_actor self_;
  event_log_actor log_;
  event_query query_;
  bool joined_ = false;
  bool closed_ = false;
};

} // namespace

bool serve_event_stream(caf::actor_system& sys, event_log_actor log,
                        event_query q, httplib::Response& res,
                        int max_streams) {
  static std::atomic<int> open_streams{0};
  if (++open_streams > max_streams) {
    --open_streams;
    return false;
  }
  auto session = std::shared_ptr<sse_session>(
    new sse_session(sys, std::move(log), std::move(q)),
    [](sse_session* s) {
      delete s;
      --open_streams;
    });
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
    "text/event-stream",
    [session](size_t, httplib::DataSink& sink) { return session->pump(sink); },
    [session](bool) { session->close(); });
  return true;
}

} // namespace logbase
