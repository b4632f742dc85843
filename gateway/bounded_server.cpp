#include "gateway/bounded_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sg {

connection_state& current_connection() {
  thread_local connection_state state;
  return state;
}

namespace {

using steady = std::chrono::steady_clock;

int poll_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
  } while (rc < 0 && errno == EINTR);
  return rc;
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0)
    return;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// Closing a socket with unread bytes makes the kernel reset the connection,
// which can destroy the answer on its way to the client. So the sending side
// closes first and what the client still sends is read and dropped, for a
// bounded time (nginx's lingering close).
void linger(int fd) {
  ::shutdown(fd, SHUT_WR);
  auto deadline = steady::now() + std::chrono::seconds(5);
  std::array<char, 16 * 1024> sink;
  while (steady::now() < deadline && poll_for(fd, POLLIN, std::chrono::seconds(1)) > 0) {
    if (::recv(fd, sink.data(), sink.size(), 0) <= 0)
      break;
  }
}

}  // namespace

// One per connection: a read buffer kept across requests, and the head and
// body accounting of the request being read.
class limited_stream final : public httplib::Stream {
public:
  limited_stream(int fd, const connection_limits& limits) : fd_(fd), limits_(limits) {}

  void start_request() {
    in_head_ = true;
    head_bytes_ = 0;
    body_bytes_ = 0;
    tail_ = 0;
    written_ = 0;
    head_started_ = false;
  }
  bool has_buffered() const { return off_ < len_; }
  bool answered() const { return written_ > 0; }
  bool in_head() const { return in_head_; }

  bool is_readable() const override {
    return has_buffered() || poll_for(fd_, POLLIN, limits_.read_timeout) > 0;
  }
  bool is_writable() const override {
    if (poll_for(fd_, POLLOUT, limits_.write_timeout) <= 0)
      return false;
    char probe;
    return ::recv(fd_, &probe, 1, MSG_PEEK | MSG_DONTWAIT) != 0;  // 0: the peer closed
  }

  ssize_t read(char* ptr, size_t size) override {
    if (in_head_ && head_bytes_ == limits_.max_head_bytes) {
      current_connection().head_too_large = true;
      return -1;  // nothing more is read of this request
    }
    if (!in_head_ && !current_connection().body_announced)
      return 0;  // httplib would wait for the peer to close
    if (!has_buffered() && !fill())
      return -1;
    size = std::min(size, len_ - off_);
    if (in_head_)
      size = std::min<size_t>(size, 1);  // httplib reads the head byte by byte anyway
    else if (size > current_connection().body_budget - body_bytes_)
      return refuse_body();
    std::memcpy(ptr, buf_.data() + off_, size);
    off_ += size;
    if (in_head_)
      account_head(*ptr);
    else
      body_bytes_ += size;
    return static_cast<ssize_t>(size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (poll_for(fd_, POLLOUT, limits_.write_timeout) <= 0)
      return -1;
    ssize_t n;
    do {
      n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
      written_ += static_cast<size_t>(n);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

private:
  // Reads what the socket has into the buffer, waiting at most the read
  // timeout, or in the head what is left of the head's deadline.
  bool fill() {
    auto wait = limits_.read_timeout;
    if (in_head_) {
      auto now = steady::now();
      if (!head_started_) {
        head_started_ = true;
        head_deadline_ = now + limits_.head_timeout;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(head_deadline_ - now);
      if (left <= std::chrono::milliseconds::zero())
        return time_out_head();
      wait = std::min(wait, left);
    }
    if (poll_for(fd_, POLLIN, wait) <= 0)
      return in_head_ && steady::now() >= head_deadline_ ? time_out_head() : false;
    ssize_t n;
    do {
      n = ::recv(fd_, buf_.data(), buf_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
      return false;
    off_ = 0;
    len_ = static_cast<size_t>(n);
    return true;
  }

  // The head ends at the first empty line (CRLF CRLF).
  void account_head(char c) {
    ++head_bytes_;
    tail_ = (tail_ << 8) | static_cast<unsigned char>(c);
    if ((tail_ & 0xffffffff) == 0x0d0a0d0a)
      in_head_ = false;
  }

  bool time_out_head() {
    current_connection().head_timed_out = true;
    return false;
  }

  ssize_t refuse_body() {
    current_connection().body_too_large = true;
    return -1;
  }

  int fd_;
  const connection_limits& limits_;
  std::array<char, 16 * 1024> buf_{};
  size_t off_ = 0;
  size_t len_ = 0;
  bool in_head_ = true;
  bool head_started_ = false;
  steady::time_point head_deadline_{};
  size_t head_bytes_ = 0;
  uint64_t body_bytes_ = 0;
  uint64_t tail_ = 0;
  size_t written_ = 0;
};

bool bounded_server::wait_for_request(limited_stream& strm) const {
  if (strm.has_buffered())
    return true;
  // In slices, so that stop() is noticed while connections idle.
  auto deadline = steady::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left <= std::chrono::milliseconds::zero())
      return false;
    int rc = poll_for(strm.socket(), POLLIN, std::min(left, std::chrono::milliseconds(100)));
    if (rc != 0)
      return rc > 0;
  }
  return false;
}

bool bounded_server::process_and_close_socket(socket_t sock) {
  limited_stream strm{sock, limits_};
  bool ok = true;
  for (size_t left = keep_alive_max_count_; left > 0 && wait_for_request(strm); --left) {
    auto& state = current_connection();
    state = connection_state{};
    strm.start_request();
    bool closed = false;
    try {
      ok = process_request(strm, left == 1, closed, nullptr);
    } catch (...) {
      ok = false;  // nothing may throw past the server; the connection goes
    }
    if (!strm.answered() && (state.head_too_large || state.head_timed_out)) {
      auto status = state.head_too_large ? 431 : 408;
      auto [type, body] = render_(status, state.head_too_large
                                            ? "the request head exceeds " +
                                                std::to_string(limits_.max_head_bytes) + " bytes"
                                            : "the request head did not arrive in time");
      auto head = "HTTP/1.1 " + std::to_string(status) +
                  (status == 431 ? " Request Header Fields Too Large" : " Request Timeout") +
                  "\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\nConnection: close\r\n\r\n";
      strm.write(head.data(), head.size());
      strm.write(body.data(), body.size());
    }
    // A request httplib refused before the filters ran (a malformed request
    // line, say) has a framing nobody checked: its bytes cannot be trusted
    // to end where the next request starts.
    bool unread = state.unread_body || state.head_too_large || state.body_too_large ||
                  !state.filtered;
    if (unread)
      linger(sock);
    if (!ok || closed || state.close_after || unread || state.head_timed_out)
      break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace sg
