// Transcode jobs: a video's latest job, re-runs and cancellation.
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/lookup.hpp"
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
  auto id = req.matches[1].str();
  if (!is_job_id(id))
    return problem(res, 404, "no such job");
  if (!ctx.peer<service::transcoder>())
    return problem(res, 503, "this node does not transcode");
  auto j = ask<job_info>(ctx, ctx.peer<service::transcoder>(), cancel_atom::value, acting(), id);
  if (!j)
    return problem(res, j.error());
  send_json(res, api_json(*j));
}

}  // namespace

void add_job_routes(router& r, const gateway_context& ctx) {
  const std::string one = "/api/v1/videos/{id}/job";
  r.get(one, "api", [&ctx](const httplib::Request& q, httplib::Response& s) { get_job(ctx, q, s); });
  r.post(one, {"api", auth_need::required}, [&ctx](const httplib::Request& q, httplib::Response& s) { rerun(ctx, q, s); });
  r.del("/api/v1/jobs/{id}", {"api", auth_need::required},
        [&ctx](const httplib::Request& q, httplib::Response& s) { cancel(ctx, q, s); });
}

}  // namespace sg
