#pragma once
// The gateway as the edge serves it (docs/architecture.md §Gateway): the
// filter chain, then the route's handler, then the access log and RED
// metrics. Runs on the edge's handler threads.
#include <functional>
#include <memory>
#include <unordered_map>

#include <httplib.h>

#include "gateway/edge.hpp"
#include "gateway/middleware.hpp"
#include "gateway/route_table.hpp"

namespace sg {

class dispatcher final : public edge_app {
public:
  using handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  using stream_handler =
    std::function<void(const httplib::Request&, httplib::Response&, const httplib::ContentReader&)>;

  dispatcher(std::shared_ptr<middleware_chain> chain, std::shared_ptr<const route_table> routes)
    : chain_(std::move(chain)), routes_(std::move(routes)) {}

  /// Serves `spec` (an entry of the route table) with one of the handlers.
  /// All routes are added before the edge starts.
  void add(const route_spec& spec, handler whole, stream_handler stream);

  request_plan plan(const httplib::Request& req) const override;
  void serve(exchange& x) override;
  std::string refusal(int status, const std::string& detail) const override;

private:
  void run(exchange& x, request_context& ctx) const;

  struct entry {
    handler whole;
    stream_handler stream;
  };
  std::shared_ptr<middleware_chain> chain_;
  std::shared_ptr<const route_table> routes_;
  std::unordered_map<const route_spec*, entry> entries_;
};

}  // namespace sg
