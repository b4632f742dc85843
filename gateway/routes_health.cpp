// Liveness, readiness and Prometheus metrics.
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/metrics.hpp"

namespace sg {

void add_health_routes(router& r, const gateway_context& ctx) {
  r.get("/health/live", "other", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"live"})", "application/json");
  });
  r.get("/health/ready", "other", [&ctx](const httplib::Request&, httplib::Response& res) {
    nlohmann::json checks = {{"roles", ctx.started->load()}, {"cluster", true}};
    auto pong = ask<caf::pong_atom>(ctx, ctx.videos, caf::ping_atom::value);
    checks["database"] = static_cast<bool>(pong);
    bool ready = checks["roles"] && checks["database"];
    send_json(res, {{"status", ready ? "ready" : "not ready"}, {"checks", checks}}, ready ? 200 : 503);
  });
  r.get("/metrics", "other", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::global().render(), "text/plain; version=0.0.4");
  });
}

}  // namespace sg
