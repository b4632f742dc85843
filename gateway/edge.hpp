#pragma once
// The HTTP edge (docs/architecture.md §HTTP edge): event loops (Asio on
// epoll, one per core) accept connections, read request heads and bodies
// (parsed by Boost.Beast) and write answers, files with sendfile. What may
// block (an actor ask, a streamed upload body) runs on a bounded pool of
// handler threads and never on a loop, so an open connection costs a few
// kilobytes, not a thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <httplib.h>

#include "gateway/file_body.hpp"
#include "gateway/route_table.hpp"

namespace sg {

struct edge_settings {
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port
  int loops = 0;                  // event loops; 0: one per core
  int handler_threads = 16;       // the pool that runs handlers
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 1 << 20;  // bodies read whole before the handler runs
  std::chrono::milliseconds head_timeout{10000};  // the whole head, from its first byte
  std::chrono::milliseconds read_timeout{30000};  // a bounded body whole; a streamed one per read
  std::chrono::milliseconds write_timeout{30000}; // without progress
  std::chrono::milliseconds idle_timeout{5000};   // keep-alive, between requests
  int keepalive_max = 100;        // requests per connection
  int max_connections = 20000;    // open at once, in total
  int max_connections_per_ip = 10000;
};

/// One request and its answer, handed from a loop to a handler thread and back.
struct exchange {
  httplib::Request req;
  httplib::Response res;
  /// For routes that stream their body: pulls it from the connection, piece
  /// by piece, while the handler runs. Unset otherwise (the body is in req.body).
  httplib::ContentReader body{nullptr, nullptr};
  bool body_too_large = false;  // a body read whole passed max_body_bytes: not read further
  bool close = false;           // set by the handler: no further request on this connection
  std::shared_ptr<file_body> file;  // set by the handler: the body, sent from the file
};

/// How the edge takes a request, decided once its head is in.
struct request_plan {
  body_kind body = body_kind::none;  // how the route takes its body
  bool on_loop = false;              // served on the loop: the handler never waits
};

/// What the edge serves: the gateway's route table and filters.
class edge_app {
public:
  virtual ~edge_app() = default;
  /// On a loop, once the head is in.
  virtual request_plan plan(const httplib::Request& req) const = 0;
  /// On a handler thread, or on the loop when planned so: fills x.res (or x.file).
  virtual void serve(exchange& x) = 0;
  /// The problem+json body of a refusal the edge writes itself (a malformed
  /// or late head, a head too large, a connection over the caps).
  virtual std::string refusal(int status, const std::string& detail) const = 0;
};

class http_edge {
public:
  /// Listens and serves until stop(); nullptr and `error` set when it cannot listen.
  static std::unique_ptr<http_edge> listen(const edge_settings& settings,
                                           std::shared_ptr<edge_app> app, std::string& error);
  ~http_edge();
  int port() const;
  /// Stops accepting, closes idle connections, lets requests in flight
  /// finish (their connections close after the answer), then stops the loops.
  void stop();

  struct impl;
private:
  explicit http_edge(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sg
