#pragma once
// The request pipeline: small filters run in order before routing (each may
// answer and stop the chain), then routing, then the access log and RED
// metrics once the response is written. Authentication slots in as one more
// filter without touching the routes.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "runtime/config.hpp"

namespace sg {

/// Per-request state. httplib serves a request start to end on one thread, so
/// it lives in a thread-local that the pre-routing step resets.
struct request_context {
  std::string id;
  std::string route = "unmatched";
  std::chrono::steady_clock::time_point start;
  bool in_flight = false;
  bool close = false;  // see close_connection
  std::string address;  // the signed-in wallet, if any
};
request_context& current_request();

class middleware {
public:
  virtual ~middleware() = default;
  /// Returns false when it answered the request itself.
  virtual bool on_request(const httplib::Request& req, httplib::Response& res,
                          request_context& ctx) = 0;
};

using middleware_chain = std::vector<std::unique_ptr<middleware>>;

/// Request id, header and body limits, CORS.
middleware_chain standard_chain(const http_settings& settings);

/// Wires the chain, access log, metrics, error and exception handlers.
void install_pipeline(httplib::Server& svr, std::shared_ptr<middleware_chain> chain);

/// Ends the connection after this response. Needed when a body is left
/// unread: httplib would parse its bytes as the next requests.
void close_connection(const httplib::Request& req, httplib::Response& res);

/// Routes that stream their bodies (uploads) and bound them themselves.
bool is_streaming_route(const httplib::Request& req);

}  // namespace sg
