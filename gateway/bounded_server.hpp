#pragma once
// cpp-httplib's server with the limits its socket loop lacks, enforced while
// the bytes arrive (docs/architecture.md §Gateway):
// - the request head (request line and headers) must fit in max_head_bytes
//   and arrive within head_timeout, counted from its first byte;
// - a body is read no further than the budget its route allows, whatever its
//   framing (Content-Length or chunked);
// - bytes a client pipelined survive from one request to the next;
// - a connection whose announced body was not read whole is closed once its
//   answer is out (its bytes would otherwise be parsed as the next request).
// Everything else (parsing, routing, writing) stays httplib's.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <httplib.h>

namespace sg {

struct connection_limits {
  size_t max_head_bytes = 16 * 1024;
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
};

/// What the socket layer knows of the request being served on this thread;
/// reset before each request of a connection.
struct connection_state {
  bool filtered = false;              // the gateway's filters saw the request (its framing is known)
  bool body_announced = true;         // false: a POST without length has no body
  uint64_t body_budget = UINT64_MAX;  // set by a filter before the body is read
  bool unread_body = false;  // an announced body not (yet) read whole: close after the answer
  bool close_after = false;
  bool head_too_large = false;
  bool head_timed_out = false;
  bool body_too_large = false;
};
connection_state& current_connection();

class bounded_server : public httplib::Server {
public:
  /// Renders a refusal written when httplib dropped a request without an
  /// answer (a request line past the head limit, or cut by the deadline):
  /// (status, detail) -> (content type, body).
  using refusal_renderer = std::function<std::pair<std::string, std::string>(int, const std::string&)>;

  bounded_server(connection_limits limits, refusal_renderer render)
    : limits_(limits), render_(std::move(render)) {}

private:
  bool process_and_close_socket(socket_t sock) override;
  bool wait_for_request(class limited_stream& strm) const;

  connection_limits limits_;
  refusal_renderer render_;
};

}  // namespace sg
