#pragma once

/// One client connection as httplib's request parser reads it, and the
/// loop that serves its requests one after another.
///
/// httplib 0.11.4 waits for the next request on a keep-alive connection by
/// polling it every 10 ms and napping 1 ms in between: a thousand open
/// connections wake their threads 100,000 times a second, which on two
/// cores starves the actors that answer them. This loop sleeps in poll()
/// until the client sends (looking up once a second to notice a stopped
/// server), and keeps one read buffer for the whole connection.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "src/errors.hpp"
#include "messages/interfaces.hpp"
#include "src/request_limits.hpp"
#include "http/tls.hpp"

namespace logbase {

class socket_stream final : public httplib::Stream {
public:
  socket_stream(int sock, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override;

  /// Bytes received but not read yet (a pipelined next request).
  bool has_buffered() const {
    return begin_ < end_ || (tls_ != nullptr && tls_->has_pending());
  }

  /// Reads and writes go through TLS from now on.
  void use_tls(tls_session* tls) {
    tls_ = tls;
  }

  /// While set, writes are dropped: the answer goes out from elsewhere.
  void discard_writes(bool on) {
    discard_writes_ = on;
  }

  /// Writes all of `bytes` (within the write timeout); false if it could
  /// not.
  bool write_all(const std::string& bytes);

  /// Reads fail past `deadline` (a request that trickles in too slowly);
  /// none: only the timeout of each read applies.
  void set_read_deadline(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
    read_deadline_ = deadline;
  }

  /// Whether a read failed because of the read deadline.
  bool missed_read_deadline() const {
    return missed_read_deadline_;
  }

  /// A new request starts: its head is watched for the limits of
  /// request_limits.hpp, and nothing of its answer is written yet.
  void start_request() {
    head_.reset();
    wrote_ = false;
  }

  /// Why reading the request's head stopped, if it passed a limit.
  std::optional<failure> head_refusal() const;

  /// Reads and drops what the client still sends, for at most `within` or
  /// `most` bytes: closing with unread bytes resets the connection, and the
  /// client could lose the answer written just before.
  void discard_input(std::chrono::milliseconds within, size_t most);

  /// Whether anything was written since start_request.
  bool wrote() const {
    return wrote_;
  }

private:
  int sock_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool discard_writes_ = false;
  std::optional<std::chrono::steady_clock::time_point> read_deadline_;
  mutable bool missed_read_deadline_ = false;
  tls_session* tls_ = nullptr;
  head_guard head_;
  bool wrote_ = false;

  /// Passes the bytes read to the head guard; -1 once it refuses.
  ssize_t watched(const char* ptr, ssize_t n);

  /// How long the next wait for bytes may take.
  std::chrono::milliseconds read_wait() const;

  /// Waits for bytes within the read timeout and the read deadline.
  bool wait_readable() const;

  /// Up to `size` bytes from the socket (or TLS), waiting within the read
  /// timeout and deadline.
  ssize_t receive(char* ptr, size_t size);
};

/// An answer the HTTP thread handed over: the front actor's thread writes
/// it straight to the socket (most answers fit the socket's buffer), so the
/// HTTP thread sleeps only until the client's next request, as it does for
/// requests it answers itself. What does not fit is left in `rest`, and the
/// HTTP thread, woken through its own eventfd, writes that.
struct handed_over {
  reply_slot slot;
  std::chrono::steady_clock::time_point deadline;
  /// Written by the consumer before the slot settles; read after.
  std::string rest;
  /// Called once with the status, by whoever writes the answer.
  std::function<void(int status)> done;
};

/// The connection a thread serves now, for handlers that hand answers
/// over; null outside a connection loop.
class connection {
public:
  /// Whether this request's answer may be written from another thread:
  /// keep-alive HTTP/1.1 requests that are not the connection's last.
  bool can_hand_over(const httplib::Request& req) const;

  /// Hands the answer of this request over: the slot's consumer writes it
  /// (calling `done` with the status in the writing thread); httplib's own
  /// write of the placeholder response is dropped.
  void hand_over(const reply_slot& slot,
                 std::chrono::steady_clock::time_point deadline,
                 std::function<void(int status)> done);

  bool handing_over() const {
    return current_ != nullptr;
  }

  /// A header for this request's answer besides the handler's own (CORS,
  /// the request id), also when the answer is handed over.
  void add_answer_header(std::string name, std::string value) {
    answer_headers_.emplace_back(std::move(name), std::move(value));
  }

  /// The request has arrived whole: what the handler does next (a long
  /// stream) is no longer bound by the request's deadline.
  void request_arrived();

  /// When this request's first byte was there (for its latency).
  std::chrono::steady_clock::time_point request_started() const {
    return started_;
  }

  /// The answer was counted already (a stream, when it was granted): the
  /// end of its response is not counted again.
  void mark_counted() {
    counted_ = true;
  }
  bool counted() const {
    return counted_;
  }

  /// Whether this request did not arrive whole in time.
  bool too_slow() const {
    return stream_ != nullptr && stream_->missed_read_deadline();
  }

  /// Why this request's head was refused, if it passed a limit.
  std::optional<failure> head_refusal() const {
    return stream_ != nullptr ? stream_->head_refusal() : std::nullopt;
  }

private:
  friend class connection_server;

  int sock_ = -1;
  int wake_fd_ = -1;
  /// Answers of a TLS connection are written by its own thread only.
  bool tls_ = false;
  int keep_alive_seconds_ = 5;
  size_t requests_left_ = 0;
  socket_stream* stream_ = nullptr;
  std::shared_ptr<handed_over> current_;
  std::chrono::steady_clock::time_point started_;
  bool counted_ = false;
  std::vector<std::pair<std::string, std::string>> answer_headers_;
};

connection* current_connection();

/// Sets a header on this request's answer, whichever thread writes it: on
/// `res` (written by the HTTP thread) and on the connection (carried into
/// a hand-over).
void set_answer_header(httplib::Response& res, const std::string& name,
                       const std::string& value);

/// httplib's server with logbase's connection loop.
class connection_server : public httplib::Server {
public:
  /// How long a request may take to arrive whole (slow clients are cut).
  void set_request_timeout(std::chrono::milliseconds timeout) {
    request_timeout_ = timeout;
  }

  /// Serves HTTPS with this certificate and key.
  void use_tls(std::unique_ptr<tls_context> ctx) {
    tls_ = std::move(ctx);
  }

private:
  std::unique_ptr<tls_context> tls_;
  std::chrono::milliseconds request_timeout_{30'000};

  bool process_and_close_socket(int sock) override;

  /// Waits until the client sends more; false once it is idle past the
  /// keep-alive timeout, gone, or the server stops.
  bool wait_for_request(int sock) const;

  /// Sees a handed-over answer written (or written here, or answered 503
  /// when past its deadline) before the connection reads on or closes;
  /// false when the connection cannot go on.
  bool settle(connection& conn, socket_stream& strm);
};

} // namespace logbase
