// Transcode jobs: a video's latest job, re-runs and cancellation; for the
// operator (admin token) the dead letters — failed jobs and webhook
// deliveries that spent their attempts — retried or dismissed.
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "gateway/admin_token.hpp"
#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/lookup.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "messages/video_json.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"

namespace sg {

namespace {

bool is_job_id(const std::string& s) {
  return is_video_id(s);  // both are 16 hex digits
}

nlohmann::json api_json(const job_info& j) {
  nlohmann::json out = j;
  out.erase("not_before_ms");
  out["percent"] = static_cast<int>(j.progress * 100);
  out["updated_at"] = iso8601_ms(j.updated_ms);
  return out;
}

void get_job(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto v = find_video(ctx, req, res);
  if (!v)
    return;
  if (v->job_id.empty())
    return problem(res, 404, "the video has no transcode job");
  auto j = ask<job_info>(ctx, ctx.peer<service::job_store>(), caf::get_atom::value, job_atom::value, v->job_id);
  if (!j)
    return problem(res, j.error());
  send_json(res, api_json(*j));
}

// The job store queues the job with its video (owner checked there); the
// transcoder is told to take it.
void rerun(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = video_id_of(req, res);
  if (!id)
    return;
  if (!ctx.peer<service::transcoder>())
    return problem(res, 503, "this node does not transcode");
  auto j = ask<job_info>(ctx, ctx.peer<service::job_store>(), create_atom::value, acting(), *id);
  if (!j)
    return problem(res, j.error());
  caf::anon_send(ctx.peer<service::transcoder>(), kick_atom::value, j->id);
  send_json(res, api_json(*j), 202);
}

void cancel(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto id = path_param(1);
  if (!is_job_id(id))
    return problem(res, 404, "no such job");
  if (!ctx.peer<service::transcoder>())
    return problem(res, 503, "this node does not transcode");
  auto j = ask<job_info>(ctx, ctx.peer<service::transcoder>(), cancel_atom::value, acting(), id);
  if (!j)
    return problem(res, j.error());
  send_json(res, api_json(*j));
}

nlohmann::json admin_json(const job_info& j) {
  auto out = api_json(j);
  auto history = nlohmann::json::array();
  for (const auto& a : j.history)
    history.push_back({{"started_at", iso8601_ms(a.started_ms)}, {"ended_at", iso8601_ms(a.ended_ms)},
                       {"node", a.node}, {"outcome", a.outcome}});
  out["history"] = history;
  return out;
}

// Failed transcodes (each video's latest job) and dead webhook deliveries.
void dead_letters(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto failed = ask<std::vector<job_info>>(ctx, ctx.peer<service::job_store>(), list_atom::value, job_atom::value,
                                           job_state::failed);
  if (!failed)
    return problem(res, failed.error());
  auto jobs = nlohmann::json::array();
  for (const auto& j : *failed)
    jobs.push_back(admin_json(j));
  auto deliveries = nlohmann::json::array();
  if (auto service = ctx.peer<service::jobs>()) {
    auto dead = ask<std::vector<delivery>>(ctx, service, deliver_atom::value, list_atom::value, std::string{"dead"});
    if (!dead)
      return problem(res, dead.error());
    for (const auto& d : *dead)
      deliveries.push_back({{"id", d.id}, {"event", d.event}, {"url", d.url}, {"attempts", d.attempts},
                            {"last_outcome", d.history.empty() ? "" : d.history.back().outcome},
                            {"created_at", iso8601_ms(d.created_ms)}});
  }
  send_json(res, {{"jobs", jobs}, {"deliveries", deliveries}});
}

void admin_job(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto id = path_param(1);
  if (!is_job_id(id))
    return problem(res, 404, "no such job");
  auto j = ask<job_info>(ctx, ctx.peer<service::job_store>(), caf::get_atom::value, job_atom::value, id);
  if (!j)
    return problem(res, j.error());
  send_json(res, admin_json(*j));
}

// A failed job tried again: a new job for its video (the store decides).
void retry_job(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto id = path_param(1);
  if (!is_job_id(id))
    return problem(res, 404, "no such job");
  if (!ctx.peer<service::transcoder>())
    return problem(res, 503, "this node does not transcode");
  auto next = ask<job_info>(ctx, ctx.peer<service::job_store>(), retry_atom::value, job_atom::value, id);
  if (!next)
    return problem(res, next.error());
  caf::anon_send(ctx.peer<service::transcoder>(), kick_atom::value, next->id);
  send_json(res, admin_json(*next), 202);
}

void dismiss_job(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  auto id = path_param(1);
  if (!is_job_id(id))
    return problem(res, 404, "no such job");
  auto j = ask<job_info>(ctx, ctx.peer<service::job_store>(), dismiss_atom::value, job_atom::value, id);
  if (!j)
    return problem(res, j.error());
  send_json(res, admin_json(*j));
}

}  // namespace

void add_job_routes(router& r, const gateway_context& ctx) {
  const std::string one = "/api/v1/videos/{id}/job";
  r.get(one, "api", [&ctx](const httplib::Request& q, httplib::Response& s) { get_job(ctx, q, s); });
  r.post(one, {"api", auth_need::required}, [&ctx](const httplib::Request& q, httplib::Response& s) { rerun(ctx, q, s); });
  r.del("/api/v1/jobs/{id}", {"api", auth_need::required},
        [&ctx](const httplib::Request& q, httplib::Response& s) { cancel(ctx, q, s); });
  r.get("/api/v1/admin/dead-letters", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { dead_letters(ctx, q, s); });
  r.get("/api/v1/admin/jobs/{id}", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { admin_job(ctx, q, s); });
  r.post("/api/v1/admin/jobs/{id}/retry", {"api", auth_need::none},
         [&ctx](const httplib::Request& q, httplib::Response& s) { retry_job(ctx, q, s); });
  r.post("/api/v1/admin/jobs/{id}/dismiss", {"api", auth_need::none},
         [&ctx](const httplib::Request& q, httplib::Response& s) { dismiss_job(ctx, q, s); });
}

}  // namespace sg
