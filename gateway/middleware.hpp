#pragma once
// The request pipeline: small filters run in order before routing (each may
// answer and stop the chain), then routing, then the access log and RED
// metrics once the response is written. A filter reads the request's route
// from the route table (label, rate-limit group, body kind), never the path.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "gateway/route_table.hpp"
#include "runtime/config.hpp"

namespace sg {

/// Per-request state. httplib serves a request start to end on one thread, so
/// it lives in a thread-local that the pre-routing step resets.
struct request_context {
  std::string id;
  const route_spec* route = nullptr;  // nullptr: no route serves the request
  std::chrono::steady_clock::time_point start;
  bool in_flight = false;
  std::string address;  // the signed-in wallet, if any

  const std::string& label() const;
  const std::string& group() const;
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

/// The request id: the client's when sane (X-Request-Id), else a new one.
std::unique_ptr<middleware> make_request_id();
/// Framing checks and body budgets (see body_kind); unknown routes read none.
std::unique_ptr<middleware> make_body_limits(size_t max_bytes);
/// CORS headers for allowed origins; preflights answered here.
std::unique_ptr<middleware> make_cors(std::vector<std::string> origins);

/// Request id, body limits, CORS.
middleware_chain standard_chain(const http_settings& settings);

/// Wires the chain, access log, metrics, error and exception handlers.
void install_pipeline(httplib::Server& svr, std::shared_ptr<middleware_chain> chain,
                      std::shared_ptr<const route_table> routes);

/// Marks a request's body as read whole (the connection may serve another).
void body_consumed();

}  // namespace sg
