#include "gateway/gateway.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "gateway/auth_filter.hpp"
#include "gateway/dispatch.hpp"
#include "gateway/edge.hpp"
#include "gateway/middleware.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/routes.hpp"
#include "messages/errors.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

edge_settings edge_settings_of(const http_settings& http) {
  edge_settings e;
  e.host = http.host;
  e.port = http.port;
  e.loops = http.loops;
  e.handler_threads = http.threads;
  e.max_head_bytes = http.max_header_bytes;
  e.max_body_bytes = http.max_body_bytes;
  e.head_timeout = std::chrono::seconds(http.head_timeout_s);
  e.read_timeout = std::chrono::seconds(http.read_timeout_s);
  e.write_timeout = std::chrono::seconds(http.write_timeout_s);
  e.idle_timeout = std::chrono::seconds(http.keepalive_timeout_s);
  e.keepalive_max = http.keepalive_max;
  e.max_connections = http.max_connections;
  e.max_connections_per_ip = http.max_connections_per_ip;
  return e;
}

// Owns the edge; the routes hold references into ctx.
struct http_server {
  explicit http_server(const gateway_context& c) : ctx(c) {}
  gateway_context ctx;
  std::shared_ptr<route_table> routes = std::make_shared<route_table>();
  std::shared_ptr<dispatcher> app;
  std::unique_ptr<http_edge> edge;
  int port = 0;

  ~http_server() {
    if (edge)
      edge->stop();  // requests in flight finish first
  }
};

struct gateway_state {
  std::shared_ptr<http_server> server;
  static inline const char* name = "gateway";
};

// The public interface and the directory's updates, which it passes on to
// the HTTP threads' peer board.
using gateway_impl = gateway_actor::extend<directory_update>;

gateway_impl::behavior_type gateway(gateway_impl::stateful_pointer<gateway_state> self,
                                    std::shared_ptr<http_server> server) {
  self->state.server = std::move(server);
  const auto& ctx = self->state.server->ctx;
  self->send(ctx.directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  return {
    [self](caf::get_atom) { return static_cast<int32_t>(self->state.server->port); },
    [self](caf::update_atom, service s, caf::actor h) {
      const auto& ctx = self->state.server->ctx;
      if (sent_by(self, ctx.directory))
        ctx.peers->update(s, std::move(h));
    },
  };
}

void configure(http_server& s) {
  const auto& http = s.ctx.http;
  std::vector<rate_rule> overrides;
  for (const auto& spec : http.rate_limits)
    if (auto r = parse_rate_rule(spec))
      overrides.push_back(*r);
    else
      throw std::invalid_argument("--rate-limit must be GROUP=RATE/BURST, got '" + spec + "'");
  auto limiters = make_rate_limiters(rate_rules(overrides));
  // A failed sign-in costs the IP a token: its limiter runs before auth.
  auto chain = std::make_shared<middleware_chain>(standard_chain(http));
  chain->push_back(std::move(limiters.by_ip));
  chain->push_back(make_bearer_auth(s.ctx));
  chain->push_back(std::move(limiters.by_wallet));
  s.app = std::make_shared<dispatcher>(chain, s.routes);
  router r{*s.app, *s.routes};
  add_all_routes(r, s.ctx);
}

}  // namespace

void add_all_routes(router& r, const gateway_context& ctx) {
  if (ctx.serve_media)
    add_stream_routes(r, ctx);  // first: the hottest path tries the fewest patterns
  add_health_routes(r, ctx);
  add_upload_routes(r, ctx);
  add_video_routes(r, ctx);
  add_job_routes(r, ctx);
  add_auth_routes(r, ctx);
  add_nft_routes(r, ctx);
  add_admin_routes(r, ctx);
  add_webhook_routes(r, ctx);
  add_catalogue_routes(r, ctx);
  add_analytics_routes(r, ctx);
  add_web_routes(r, ctx);
}

caf::expected<gateway_actor> spawn_gateway(const gateway_context& ctx) {
  auto server = std::make_shared<http_server>(ctx);
  try {
    configure(*server);
  } catch (const std::invalid_argument& e) {
    return make_error(errc::bad_request, e.what());
  }
  std::string why;
  server->edge = http_edge::listen(edge_settings_of(ctx.http), server->app, why);
  if (!server->edge)
    return make_error(errc::unavailable, why);
  server->port = server->edge->port();
  const auto& host = ctx.http.host;
  log::info("gateway", "listening", {{"host", host}, {"port", server->port}});
  // Detached: stopping the server blocks until in-flight requests finish.
  gateway_actor h = ctx.system->spawn<caf::detached>(gateway, std::move(server));
  return h;
}

}  // namespace sg
