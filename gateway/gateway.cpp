#include "gateway/gateway.hpp"

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <httplib.h>

#include "gateway/auth_filter.hpp"
#include "gateway/middleware.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/routes.hpp"
#include "messages/errors.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

// Owns the server and its accept thread; the routes hold references into ctx.
struct http_server {
  gateway_context ctx;
  httplib::Server svr;
  std::thread accept_loop;
  int port = 0;

  ~http_server() {
    svr.stop();  // stops accepting, then joins the workers (in-flight finish)
    if (accept_loop.joinable())
      accept_loop.join();
    log::info("gateway", "http server stopped");
  }
};

struct gateway_state {
  std::shared_ptr<http_server> server;
  static inline const char* name = "gateway";
};

gateway_actor::behavior_type gateway(gateway_actor::stateful_pointer<gateway_state> self,
                                     std::shared_ptr<http_server> server) {
  self->state.server = std::move(server);
  return {
    [self](caf::get_atom) { return static_cast<int32_t>(self->state.server->port); },
  };
}

void configure(http_server& s) {
  const auto& http = s.ctx.http;
  s.svr.set_tcp_nodelay(true);  // without it keep-alive clients stall ~40 ms
  s.svr.set_keep_alive_max_count(static_cast<size_t>(http.keepalive_max));
  s.svr.set_keep_alive_timeout(http.keepalive_timeout_s);
  s.svr.set_read_timeout(http.read_timeout_s, 0);
  s.svr.set_write_timeout(http.write_timeout_s, 0);
  // Our own limits run in the pipeline (they also cover chunked bodies).
  s.svr.set_payload_max_length(std::numeric_limits<size_t>::max());
  auto threads = static_cast<size_t>(http.threads);
  s.svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  auto chain = std::make_shared<middleware_chain>(standard_chain(http));
  chain->push_back(make_bearer_auth(s.ctx));
  std::vector<rate_rule> overrides;
  for (const auto& spec : http.rate_limits)
    if (auto r = parse_rate_rule(spec))
      overrides.push_back(*r);
    else
      throw std::invalid_argument("--rate-limit must be GROUP=RATE/BURST, got '" + spec + "'");
  chain->push_back(make_rate_limiter(rate_rules(overrides)));
  install_pipeline(s.svr, chain);
  router r{s.svr};
  add_stream_routes(r, s.ctx);  // first: the hottest path tries the fewest patterns
  add_health_routes(r, s.ctx);
  add_upload_routes(r, s.ctx);
  add_video_routes(r, s.ctx);
  add_job_routes(r, s.ctx);
  add_auth_routes(r, s.ctx);
  add_nft_routes(r, s.ctx);
  add_admin_routes(r, s.ctx);
}

}  // namespace

caf::expected<gateway_actor> spawn_gateway(const gateway_context& ctx) {
  auto server = std::make_shared<http_server>();
  server->ctx = ctx;
  try {
    configure(*server);
  } catch (const std::invalid_argument& e) {
    return make_error(errc::bad_request, e.what());
  }
  const auto& host = ctx.http.host;
  if (ctx.http.port == 0) {
    server->port = server->svr.bind_to_any_port(host);
  } else if (server->svr.bind_to_port(host, ctx.http.port)) {
    server->port = ctx.http.port;
  }
  if (server->port <= 0)
    return make_error(errc::unavailable,
                      "cannot listen on " + host + ":" + std::to_string(ctx.http.port));
  server->accept_loop = std::thread([s = server.get()] { s->svr.listen_after_bind(); });
  log::info("gateway", "listening", {{"host", host}, {"port", server->port}});
  // Detached: stopping the server blocks until in-flight requests finish.
  return ctx.system->spawn<caf::detached>(gateway, std::move(server));
}

}  // namespace sg
