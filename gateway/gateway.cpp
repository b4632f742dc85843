#include "gateway/gateway.hpp"

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <httplib.h>

#include "gateway/auth_filter.hpp"
#include "gateway/bounded_server.hpp"
#include "gateway/middleware.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/routes.hpp"
#include "messages/errors.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

connection_limits limits_of(const http_settings& http) {
  connection_limits l;
  l.max_head_bytes = http.max_header_bytes;
  l.head_timeout = std::chrono::seconds(http.head_timeout_s);
  l.read_timeout = std::chrono::seconds(http.read_timeout_s);
  l.write_timeout = std::chrono::seconds(http.write_timeout_s);
  return l;
}

// The body of a refusal the socket layer writes itself (no request id yet).
std::pair<std::string, std::string> render_refusal(int status, const std::string& detail) {
  return {"application/problem+json",
          dump_json({{"type", "about:blank"}, {"status", status}, {"detail", detail}})};
}

// Owns the server and its accept thread; the routes hold references into ctx.
struct http_server {
  explicit http_server(const gateway_context& c)
    : ctx(c), svr(limits_of(c.http), render_refusal) {}
  gateway_context ctx;
  bounded_server svr;
  std::shared_ptr<route_table> routes = std::make_shared<route_table>();
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
  s.svr.set_tcp_nodelay(true);  // without it keep-alive clients stall ~40 ms
  s.svr.set_keep_alive_max_count(static_cast<size_t>(http.keepalive_max));
  s.svr.set_keep_alive_timeout(http.keepalive_timeout_s);
  s.svr.set_read_timeout(http.read_timeout_s, 0);
  s.svr.set_write_timeout(http.write_timeout_s, 0);
  // Our own limits run in the pipeline and the socket layer (bounded_server).
  s.svr.set_payload_max_length(std::numeric_limits<size_t>::max());
  auto threads = static_cast<size_t>(http.threads);
  s.svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
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
  install_pipeline(s.svr, chain, s.routes);
  router r{s.svr, *s.routes};
  if (s.ctx.serve_media)
    add_stream_routes(r, s.ctx);  // first: the hottest path tries the fewest patterns
  add_health_routes(r, s.ctx);
  add_upload_routes(r, s.ctx);
  add_video_routes(r, s.ctx);
  add_job_routes(r, s.ctx);
  add_auth_routes(r, s.ctx);
  add_nft_routes(r, s.ctx);
  add_admin_routes(r, s.ctx);
  add_webhook_routes(r, s.ctx);
}

}  // namespace

caf::expected<gateway_actor> spawn_gateway(const gateway_context& ctx) {
  auto server = std::make_shared<http_server>(ctx);
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
  gateway_actor h = ctx.system->spawn<caf::detached>(gateway, std::move(server));
  return h;
}

}  // namespace sg
