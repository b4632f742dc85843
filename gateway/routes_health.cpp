// Liveness, readiness, Prometheus metrics, and the API's own description.
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/openapi.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace {

// Ready: every role this node serves is up, the services they provide are
// known to the gateway, and the database answers (when this node has it).
void ready(const gateway_context& ctx, httplib::Response& res) {
  nlohmann::json checks = {{"roles", {{"serving", ctx.roles.serving}, {"missing", ctx.roles.missing}}}};
  bool ok = ctx.started->load();
  auto services = nlohmann::json::object();
  for (auto s : ctx.roles.provided) {
    bool known = ctx.peers->has(s);
    services[to_string(s)] = known;
    ok = ok && known;
  }
  checks["services"] = services;
  if (auto videos = ctx.peer<service::video_store>()) {
    bool db = static_cast<bool>(ask<caf::pong_atom>(ctx, videos, caf::ping_atom::value));
    checks["database"] = db;
    ok = ok && db;
  }
  // Clustered: etcd must answer this node's keepalives; the members seen
  // are reported, not required (a lone member still serves).
  if (auto cluster = ctx.peer<service::cluster>()) {
    auto view = ask<cluster_view>(ctx, cluster, members_atom::value);
    bool etcd = view && view->etcd_reachable;
    checks["etcd"] = etcd;
    auto up = nlohmann::json::array();
    if (view)
      for (const auto& m : view->members)
        if (m.state == "up" || m.state == "self")
          up.push_back(m.record.name);
    checks["members"] = up;
    ok = ok && etcd;
  }
  send_json(res, {{"status", ok ? "ready" : "not ready"}, {"checks", checks}}, ok ? 200 : 503);
}

}  // namespace

void add_health_routes(router& r, const gateway_context& ctx) {
  r.get("/health/live", "other", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"live"})", "application/json");
  });
  r.get("/health/ready", "other",
        [&ctx](const httplib::Request&, httplib::Response& res) { ready(ctx, res); });
  r.get("/metrics", "other", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::global().render(), "text/plain; version=0.0.4");
  });
  r.get("/api/v1/openapi.json", "api", [](const httplib::Request&, httplib::Response& res) {
    auto doc = openapi_document();
    res.set_content(doc.data(), doc.size(), "application/json");
    res.set_header("Cache-Control", "public, max-age=300");
  });
}

}  // namespace sg
