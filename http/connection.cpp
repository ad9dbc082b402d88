#include "http/connection.hpp"

#include "http/request_id.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/metrics.hpp"
#include "http/reply.hpp"

namespace logbase {

namespace {

constexpr size_t buffer_bytes = 4096;

/// How often a waiting connection looks whether the server stopped.
constexpr int stop_check_ms = 1000;

/// poll() for `events`, up to `timeout`; true when the socket is ready
/// (or in error: the next read or write then says so).
bool wait_for(int sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n >= 0)
      return n > 0;
    if (errno != EINTR)
      return false;
  }
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  }
  ip = text;
}

thread_local connection* this_connection = nullptr;

/// One eventfd per HTTP thread, for the rare answer that did not fit the
/// socket's buffer; -1 when the system gave none (answers are then never
/// handed over).
int thread_wake_fd() {
  struct holder {
    int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ~holder() {
      if (fd >= 0)
        ::close(fd);
    }
  };
  thread_local holder h;
  return h.fd;
}

bool says_close(const std::string& connection_header) {
  for (size_t i = 0; i + 5 <= connection_header.size(); ++i)
    if (::strncasecmp(connection_header.c_str() + i, "close", 5) == 0)
      return true;
  return false;
}

} // namespace

connection* current_connection() {
  return this_connection;
}

void set_answer_header(httplib::Response& res, const std::string& name,
                       const std::string& value) {
  res.set_header(name.c_str(), value);
  if (this_connection != nullptr)
    this_connection->add_answer_header(name, value);
}

bool connection::can_hand_over(const httplib::Request& req) const {
  return !tls_ && wake_fd_ >= 0 && requests_left_ > 1 && current_ == nullptr
         && req.version == "HTTP/1.1"
         && !says_close(req.get_header_value("Connection"));
}

void connection::hand_over(const reply_slot& slot,
                           std::chrono::steady_clock::time_point deadline,
                           std::function<void(int status)> done) {
  auto h = std::make_shared<handed_over>();
  h->slot = slot;
  h->deadline = deadline;
  h->done = std::move(done);
  // The consumer runs under the slot's lock, which `abandon` takes too:
  // once the HTTP thread gave up, it never touches the socket.
  slot->consume_with([sock = sock_, wake = wake_fd_,
                      keep_alive = keep_alive_seconds_,
                      left = requests_left_ - 1, extra = answer_headers_,
                      h = h.get()](front_reply& r) {
    if (r.stream)
      return false; // streams are served by the HTTP thread
    r.reply.headers.insert(r.reply.headers.end(), extra.begin(), extra.end());
    // Head and body in one call, without joining them first.
    auto head = response_head(r.reply, keep_alive, left);
    auto body = response_body(r.reply);
    iovec parts[2] = {{head.data(), head.size()},
                      {const_cast<char*>(body.data()), body.size()}};
    msghdr msg{};
    msg.msg_iov = parts;
    msg.msg_iovlen = 2;
    ssize_t n;
    do {
      n = ::sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      n = 0;
    auto total = head.size() + body.size();
    if (n >= 0 && static_cast<size_t>(n) < total) {
      (head += body).erase(0, static_cast<size_t>(n));
      h->rest = std::move(head);
      uint64_t one = 1;
      [[maybe_unused]] auto w = ::write(wake, &one, sizeof(one));
    }
    // (n < 0: the client is gone; its thread sees that on the socket.)
    h->done(r.reply.status);
    return true;
  });
  current_ = std::move(h);
  stream_->discard_writes(true);
}

socket_stream::socket_stream(int sock, std::chrono::milliseconds read_timeout,
                             std::chrono::milliseconds write_timeout)
  : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout),
    buffer_(buffer_bytes) {
  // nop
}

void connection::request_arrived() {
  stream_->set_read_deadline(std::nullopt);
}

std::chrono::milliseconds socket_stream::read_wait() const {
  if (!read_deadline_)
    return read_timeout_;
  using namespace std::chrono;
  // Rounded up: a wait cut short of the deadline by truncation would end
  // before it, and the read fail without the deadline counted as missed.
  auto left = ceil<milliseconds>(*read_deadline_ - steady_clock::now());
  if (left.count() <= 0) {
    missed_read_deadline_ = true;
    return milliseconds{0};
  }
  return std::min(read_timeout_, left);
}

bool socket_stream::wait_readable() const {
  if (wait_for(sock_, POLLIN, read_wait()))
    return true;
  if (read_deadline_ && std::chrono::steady_clock::now() >= *read_deadline_)
    missed_read_deadline_ = true;
  return false;
}

bool socket_stream::is_readable() const {
  return has_buffered() || wait_readable();
}

bool socket_stream::is_writable() const {
  return wait_for(sock_, POLLOUT, write_timeout_);
}

ssize_t socket_stream::receive(char* ptr, size_t size) {
  if (tls_ != nullptr) {
    auto deadline = std::chrono::steady_clock::now() + read_wait();
    auto n = tls_->read(ptr, size, deadline);
    if (n < 0 && read_deadline_
        && std::chrono::steady_clock::now() >= *read_deadline_)
      missed_read_deadline_ = true;
    return n;
  }
  if (!wait_readable())
    return -1;
  ssize_t n;
  do {
    n = ::recv(sock_, ptr, size, 0);
  } while (n < 0 && errno == EINTR);
  return n;
}

ssize_t socket_stream::read(char* ptr, size_t size) {
  if (begin_ == end_) {
    // Large reads go straight into the caller's memory.
    if (size >= buffer_.size())
      return watched(ptr, receive(ptr, size));
    auto n = receive(buffer_.data(), buffer_.size());
    if (n <= 0)
      return n;
    begin_ = 0;
    end_ = static_cast<size_t>(n);
  }
  auto n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  return watched(ptr, static_cast<ssize_t>(n));
}

ssize_t socket_stream::write(const char* ptr, size_t size) {
  if (discard_writes_)
    return static_cast<ssize_t>(size);
  wrote_ = true;
  if (tls_ != nullptr)
    return tls_->write(ptr, size,
                       std::chrono::steady_clock::now() + write_timeout_);
  if (!is_writable())
    return -1;
  ssize_t n;
  do {
    n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool socket_stream::write_all(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    auto n = write(bytes.data() + off, bytes.size() - off);
    if (n <= 0)
      return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void socket_stream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, ip, port);
}

void socket_stream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, ip, port);
}

int socket_stream::socket() const {
  return sock_;
}

bool connection_server::wait_for_request(int sock) const {
  using namespace std::chrono;
  auto deadline = steady_clock::now() + seconds(keep_alive_timeout_sec_);
  for (;;) {
    if (svr_sock_ == INVALID_SOCKET)
      return false;
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0)
      return false;
    if (wait_for(sock, POLLIN, std::min(left, milliseconds(stop_check_ms))))
      return true;
  }
}

bool connection_server::settle(connection& conn, socket_stream& strm) {
  using namespace std::chrono;
  auto h = std::move(conn.current_);
  auto& slot = *h->slot;
  // Wait for the client's next bytes, the wake of an answer that did not
  // fit, the deadline, or a stopping server; the answer is usually written
  // before any of them.
  // (A pipelined request already read into the buffer must wait as well:
  // then only the slot can wake this thread.)
  while (!slot.settled() && !strm.has_buffered()) {
    auto left = duration_cast<milliseconds>(h->deadline - steady_clock::now());
    if (left.count() <= 0 || svr_sock_ == INVALID_SOCKET)
      break;
    pollfd p[2] = {{conn.sock_, POLLIN, 0}, {conn.wake_fd_, POLLIN, 0}};
    int n = ::poll(p, 2, static_cast<int>(std::min<int64_t>(left.count(), stop_check_ms)));
    if (n < 0 && errno != EINTR)
      break;
    if (n > 0 && (p[0].revents != 0))
      break; // a pipelined request or a closed socket: settle it first
  }
  // Waits out the answer's own deadline: a pipelined request waits its turn.
  auto value = slot.wait_until(slot.settled() ? steady_clock::now() : h->deadline);
  if (slot.consumed()) {
    if (h->rest.empty())
      return true;
    // Only an answer with a rest wakes this thread: take that wake-up back
    // (not a read per request: a syscall that found nothing, every time).
    uint64_t drained;
    [[maybe_unused]] auto r = ::read(conn.wake_fd_, &drained, sizeof(drained));
    return strm.write_all(h->rest);
  }
  // Not written by the front: a stream grant cannot come here, so this is
  // the deadline (the slot is abandoned now): 503 as handlers::ask does.
  response late = value ? std::move(value->reply)
                        : error_response({error_code::timeout,
                                          "no answer in time; try again"});
  late.headers.insert(late.headers.end(), conn.answer_headers_.begin(),
                      conn.answer_headers_.end());
  h->done(late.status);
  return strm.write_all(serialize_response(late, keep_alive_timeout_sec_,
                                           conn.requests_left_ - 1));
}

bool connection_server::process_and_close_socket(int sock) {
  using namespace std::chrono;
  auto timeout = [](time_t sec, time_t usec) {
    return duration_cast<milliseconds>(seconds(sec) + microseconds(usec));
  };
  socket_stream strm{sock, timeout(read_timeout_sec_, read_timeout_usec_),
                     timeout(write_timeout_sec_, write_timeout_usec_)};
  connection conn;
  conn.sock_ = sock;
  conn.wake_fd_ = thread_wake_fd();
  conn.keep_alive_seconds_ = static_cast<int>(keep_alive_timeout_sec_);
  conn.stream_ = &strm;
  std::optional<tls_session> tls;
  if (tls_) {
    tls.emplace(*tls_, sock);
    if (!tls->accept(steady_clock::now() + request_timeout_)) {
      tls.reset();
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
      return false;
    }
    strm.use_tls(&*tls);
    conn.tls_ = true;
  }
  this_connection = &conn;
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!strm.has_buffered() && !wait_for_request(sock))
      break;
    bool closed = false;
    conn.requests_left_ = left;
    conn.answer_headers_.clear();
    conn.started_ = steady_clock::now();
    conn.counted_ = false;
    strm.set_read_deadline(steady_clock::now() + request_timeout_);
    strm.start_request();
    ok = process_request(strm, left == 1, closed, nullptr);
    if (strm.missed_read_deadline()) {
      global_metrics().http_slow_requests_cut.Increment();
      break; // too slow: cut off, whatever httplib answered
    }
    if (auto refusal = strm.head_refusal()) {
      // httplib gives up on a request line it cannot read without a word.
      if (!strm.wrote()) {
        auto answer = error_response(*refusal);
        answer.headers.emplace_back("X-Request-Id", new_request_id());
        answer.headers.emplace_back("Connection", "close");
        strm.write_all(serialize_response(answer, 0, 0));
      }
      ::shutdown(sock, SHUT_WR);
      strm.discard_input(milliseconds{500}, max_head_bytes);
      break; // the rest of that head is still coming: close
    }
    strm.discard_writes(false);
    if (conn.current_ && !settle(conn, strm))
      ok = false;
    if (!ok || closed)
      break;
  }
  this_connection = nullptr;
  tls.reset(); // its close_notify before the socket closes
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

} // namespace logbase
