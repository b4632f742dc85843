#pragma once
// The request filters: small classes run in order before routing, each of
// which may answer and stop the chain (gateway/dispatch.hpp runs them). A
// filter reads the request's route from the route table (label, rate-limit
// group, body kind), never the path.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "gateway/file_body.hpp"
#include "gateway/route_table.hpp"
#include "runtime/config.hpp"

namespace sg {

/// Per-request state. A handler thread serves a request start to end, so it
/// lives in a thread-local that the dispatcher resets.
struct request_context {
  std::string id;
  const route_spec* route = nullptr;  // nullptr: no route serves the request
  std::chrono::steady_clock::time_point start;
  std::string address;  // the signed-in wallet, if any
  std::vector<std::string> path_params;  // [0] the path, then the route's "{param}"s
  bool close_connection = false;  // the request's framing cannot be trusted
  std::shared_ptr<file_body> file;  // the answer's body, when sent from a file

  const std::string& label() const;
  const std::string& group() const;
};
request_context& current_request();

/// The route's i-th "{param}" in the current request's path (1-based, as in
/// the pattern); empty if it has none.
const std::string& path_param(size_t i);

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

/// A new request id (16 hex digits): unique, cheap, not secret.
std::string fresh_request_id();

/// Request id, body limits, CORS.
middleware_chain standard_chain(const http_settings& settings);

}  // namespace sg
