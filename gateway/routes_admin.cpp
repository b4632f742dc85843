// Operator endpoints behind the admin token (X-Admin-Token): cache stats and
// invalidation, the cluster's members. Without a configured token they
// answer 403.
#include <openssl/crypto.h>
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "messages/metadata_actor.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/hash_ring.hpp"

namespace sg {

namespace {

bool admin(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto& want = ctx.http.admin_token;
  auto given = req.get_header_value("X-Admin-Token");
  if (!want.empty() && given.size() == want.size() &&
      CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0)
    return true;
  problem(res, 403, want.empty() ? "the admin API is off: no admin token is configured"
                                 : "X-Admin-Token is missing or wrong");
  return false;
}

nlohmann::json stats_json(const cache_stats& s) {
  return {{"entries", s.entries},   {"bytes", s.bytes},         {"capacity_bytes", s.capacity_bytes},
          {"hits", s.hits},         {"misses", s.misses},       {"evictions", s.evictions},
          {"expirations", s.expirations}};
}

void stats(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto report = ask<cache_report>(ctx, ctx.peer<service::cache>(), stats_atom::value);
  if (!report)
    return problem(res, report.error());
  auto body = stats_json(report->total);
  body["shards"] = nlohmann::json::array();
  for (const auto& s : report->shards)
    body["shards"].push_back(stats_json(s));
  send_json(res, body);
}

void invalidate(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  if (!req.has_param("prefix") && !req.has_param("key"))
    return problem(res, 400, "name ?key= or ?prefix= (an empty prefix clears everything)");
  auto cache = ctx.peer<service::cache>();
  auto removed = req.has_param("key")
                   ? ask<uint64_t>(ctx, cache, caf::delete_atom::value, req.get_param_value("key"))
                   : ask<uint64_t>(ctx, cache, caf::delete_atom::value, prefix_atom::value,
                                   req.get_param_value("prefix"));
  if (!removed)
    return problem(res, removed.error());
  send_json(res, {{"removed", *removed}});
}

nlohmann::json member_json(const member_view& m, const std::vector<job_info>& active) {
  const auto& r = m.record;
  auto jobs = nlohmann::json::array();
  for (const auto& j : active)
    if (j.node == r.id)
      jobs.push_back(j.id);
  nlohmann::json out = {{"id", r.id},       {"name", r.name},   {"address", r.address},
                        {"http", r.http},   {"roles", r.roles}, {"state", m.state},
                        {"lease_age_ms", m.lease_age_ms}, {"started_ms", r.started_ms},
                        {"jobs", jobs}};
  if (!m.reason.empty())
    out["reason"] = m.reason;
  return out;
}

void members(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto cluster = ctx.peer<service::cluster>();
  if (!cluster)
    return send_json(res, {{"clustered", false}, {"members", nlohmann::json::array()}});
  auto view = ask<cluster_view>(ctx, cluster, members_atom::value);
  if (!view)
    return problem(res, view.error());
  // The jobs each member holds, as the records say (empty when unreadable).
  std::vector<job_info> active;
  if (auto jobs = ctx.peer<service::job_store>())
    if (auto listed = ask<std::vector<job_info>>(ctx, jobs, list_atom::value, job_atom::value))
      active = std::move(*listed);
  auto list = nlohmann::json::array();
  for (const auto& m : view->members)
    list.push_back(member_json(m, active));
  send_json(res, {{"clustered", true}, {"self", view->self_id}, {"etcd_reachable", view->etcd_reachable},
                  {"members", list},
                  {"ring", {{"members", view->cache_ring}, {"points_per_member", hash_ring::default_points_per_member}}}});
}

}  // namespace

void add_admin_routes(router& r, const gateway_context& ctx) {
  r.get("/api/v1/admin/cache", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { stats(ctx, q, s); });
  r.del("/api/v1/admin/cache", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { invalidate(ctx, q, s); });
  r.get("/api/v1/cluster", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { members(ctx, q, s); });
}

}  // namespace sg
