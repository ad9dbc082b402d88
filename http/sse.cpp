#include "http/sse.hpp"

#include <chrono>
#include <memory>

#include <caf/all.hpp>

#include "src/json.hpp"
#include "src/metrics.hpp"

namespace logbase {

namespace {

std::string end_frame(const std::string& reason) {
  return "event: end\ndata: " + stream_end_json(reason) + "\n\n";
}

/// One open stream. Its blocking actor lives exactly as long as the
/// stream: it waits with a receive timeout (a condition variable, no
/// timer messages), so nothing piles up in it.
class sse_session {
public:
  sse_session(caf::actor_system& sys, stream_registry& registry,
              event_log_actor log, event_query q)
    : self_(sys), registry_(registry), log_(std::move(log)),
      query_(std::move(q)) {
    // nop
  }

  ~sse_session() {
    close();
    registry_.closed();
  }

  /// Called by httplib whenever it can write: false ends the response.
  bool pump(httplib::DataSink& sink) {
    if (!joined_) {
      joined_ = true;
      if (!registry_.add(actor())) {
        auto out = end_frame(registry_.end_reason());
        sink.write(out.data(), out.size());
        sink.done();
        return false;
      }
      registered_ = true;
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
        auto ks = caf::actor_cast<account_stream_actor>(self_->current_sender());
        if (keep && ks)
          self_->send(ks, ack_atom::value, reader(),
                      static_cast<int64_t>(events.size()));
      },
      [&](end_atom, const std::string& reason) {
        auto out = end_frame(reason);
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
      if (registered_) {
        self_->send(log_, leave_atom::value, query_.account_id, reader());
        registry_.remove(actor());
      }
    }
  }

private:
  stream_reader_actor reader() {
    return caf::actor_cast<stream_reader_actor>(self_.ptr());
  }

  caf::actor actor() {
    return caf::actor_cast<caf::actor>(self_.ptr());
  }

  caf::scoped_actor self_;
  stream_registry& registry_;
  event_log_actor log_;
  event_query query_;
  bool joined_ = false;
  bool registered_ = false;
  bool closed_ = false;
};

} // namespace

stream_registry::stream_registry(caf::actor_system& sys, int max_streams)
  : sys_(sys), max_streams_(max_streams) {
  // nop
}

failure stream_registry::too_many() const {
  if (ending_)
    return {error_code::too_many_streams,
            "this node is shutting down and opens no more streams"};
  return {error_code::too_many_streams,
          "this node serves at most " + std::to_string(max_streams_)
            + " streams at once (max-streams)"};
}

std::optional<failure> stream_registry::refusal() const {
  if (ending_ || open_.load() >= max_streams_)
    return too_many();
  return std::nullopt;
}

std::optional<failure> stream_registry::serve(event_log_actor log,
                                              event_query q,
                                              httplib::Response& res) {
  if (ending_ || ++open_ > max_streams_) {
    if (!ending_)
      --open_;
    return too_many();
  }
  global_metrics().http_streams.Increment();
  auto session = std::make_shared<sse_session>(sys_, *this, std::move(log),
                                               std::move(q));
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
    "text/event-stream",
    [session](size_t, httplib::DataSink& sink) { return session->pump(sink); },
    [session](bool) { session->close(); });
  return std::nullopt;
}

void stream_registry::closed() {
  --open_;
  global_metrics().http_streams.Decrement();
}

bool stream_registry::add(const caf::actor& reader) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (ending_)
    return false;
  readers_.insert(reader);
  return true;
}

void stream_registry::remove(const caf::actor& reader) {
  std::lock_guard<std::mutex> guard{mtx_};
  readers_.erase(reader);
}

void stream_registry::end_all(const std::string& reason) {
  std::lock_guard<std::mutex> guard{mtx_};
  end_reason_ = reason;
  ending_ = true;
  for (auto& r : readers_)
    caf::anon_send(r, end_atom::value, reason);
}

} // namespace logbase
