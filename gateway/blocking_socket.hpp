#pragma once
// A socket read synchronously, each read bounded by a timeout: how a handler
// thread reads a streamed body while the edge's loop leaves the connection
// alone (Beast's SyncReadStream, so Beast still parses).
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace sg {

class blocking_socket {
public:
  blocking_socket(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}

  template <class Buffers>
  size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    auto b = *boost::asio::buffer_sequence_begin(buffers);
    pollfd p{fd_, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) {
      ec = ready == 0 ? boost::asio::error::timed_out : boost::system::error_code(errno, boost::system::system_category());
      return 0;
    }
    ssize_t n;
    do {
      n = ::recv(fd_, b.data(), b.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
      ec = boost::system::error_code(errno, boost::system::system_category());
    else if (n == 0)
      ec = boost::asio::error::eof;
    return n > 0 ? static_cast<size_t>(n) : 0;
  }
  template <class Buffers>
  size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    auto n = read_some(buffers, ec);
    if (ec)
      throw boost::system::system_error(ec);
    return n;
  }

  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0)
        return false;
      auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

private:
  int fd_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sg
