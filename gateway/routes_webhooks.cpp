// Webhooks (the owner's, session required) and the jobs service's operator
// side behind the admin token: scheduled jobs (list, run now) and webhook
// deliveries (list by state, dead letters retried or dismissed).
// docs/architecture.md §Jobs.
#include <nlohmann/json.hpp>

#include "gateway/admin_token.hpp"
#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/clock.hpp"
#include "runtime/json.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

nlohmann::json webhook_json(const webhook& w, bool with_secret) {
  nlohmann::json out = {{"id", w.id}, {"url", w.url}, {"events", w.events}, {"created_at", iso8601_ms(w.created_ms)}};
  if (with_secret)
    out["secret"] = w.secret;  // shown once, when made
  return out;
}

nlohmann::json schedule_json(const schedule_info& s) {
  nlohmann::json out = {{"name", s.name},         {"summary", s.summary},       {"scope", s.scope},
                        {"every_s", s.every_ms / 1000}, {"last_outcome", s.last_outcome}, {"last_detail", s.last_detail},
                        {"last_node", s.last_node}, {"failures", s.failures}};
  out["last_run"] = s.last_run_ms > 0 ? nlohmann::json(iso8601_ms(s.last_run_ms)) : nlohmann::json(nullptr);
  out["next_run"] = s.next_run_ms > 0 ? nlohmann::json(iso8601_ms(s.next_run_ms)) : nlohmann::json(nullptr);
  return out;
}

nlohmann::json delivery_json(const delivery& d) {
  auto history = nlohmann::json::array();
  for (const auto& a : d.history)
    history.push_back({{"at", iso8601_ms(a.at_ms)}, {"outcome", a.outcome}});
  nlohmann::json out = {{"id", d.id},       {"webhook_id", d.webhook_id}, {"owner", d.owner},
                        {"url", d.url},     {"event", d.event},           {"state", d.state},
                        {"attempts", d.attempts}, {"created_at", iso8601_ms(d.created_ms)}, {"node", d.node},
                        {"history", history}};
  if (d.state == "pending")
    out["next_attempt"] = iso8601_ms(d.next_ms);
  return out;
}

// The jobs service, or an answer that says why not (503).
jobs_actor jobs_of(const gateway_context& ctx, httplib::Response& res) {
  auto jobs = ctx.peer<service::jobs>();
  if (!jobs)
    problem(res, 503, "no jobs service is running");
  return jobs;
}

// The same for the operator: the admin token first (403).
jobs_actor jobs_for_admin(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  return admin(ctx, req, res) ? jobs_of(ctx, res) : jobs_actor{};
}

void create(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string why;
  auto body = parse_json(req.body, &why);
  if (!body || !body->is_object())
    return problem(res, 400, body ? "the body is a JSON object" : why);
  auto url = body->find("url");
  auto events = body->find("events");
  if (url == body->end() || !url->is_string())
    return problem(res, 400, "url is a string");
  if (events == body->end() || !events->is_array() || events->size() > 16)
    return problem(res, 400, "events is an array of event names");
  std::vector<std::string> names;
  for (const auto& e : *events) {
    if (!e.is_string())
      return problem(res, 400, "events is an array of event names");
    names.push_back(e.get<std::string>());
  }
  auto jobs = jobs_of(ctx, res);
  if (!jobs)
    return;
  auto w = ask<webhook>(ctx, jobs, webhook_atom::value, create_atom::value, acting(), url->get<std::string>(), names);
  if (!w)
    return problem(res, w.error());
  res.set_header("Location", "/api/v1/webhooks/" + w->id);
  send_json(res, webhook_json(*w, true), 201);
}

void list(const gateway_context& ctx, const httplib::Request&, httplib::Response& res) {
  auto jobs = jobs_of(ctx, res);
  if (!jobs)
    return;
  auto mine = ask<std::vector<webhook>>(ctx, jobs, webhook_atom::value, list_atom::value, acting());
  if (!mine)
    return problem(res, mine.error());
  auto out = nlohmann::json::array();
  for (const auto& w : *mine)
    out.push_back(webhook_json(w, false));
  send_json(res, {{"webhooks", out}});
}

void remove(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto jobs = jobs_of(ctx, res);
  if (!jobs)
    return;
  auto done = ask<caf::ok_atom>(ctx, jobs, webhook_atom::value, caf::delete_atom::value, acting(), path_param(1));
  if (!done)
    return problem(res, done.error());
  res.status = 204;
}

void schedules(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto jobs = jobs_for_admin(ctx, req, res);
  if (!jobs)
    return;
  auto all = ask<std::vector<schedule_info>>(ctx, jobs, schedule_atom::value, list_atom::value);
  if (!all)
    return problem(res, all.error());
  auto out = nlohmann::json::array();
  for (const auto& s : *all)
    out.push_back(schedule_json(s));
  send_json(res, {{"schedules", out}});
}

// `?at=2026-12-01T10:00:00Z` or `?in=10m`: a delayed run; neither: now.
std::optional<int64_t> run_at(const httplib::Request& req) {
  if (req.has_param("at"))
    return parse_rfc3339_ms(req.get_param_value("at"));
  if (req.has_param("in")) {
    auto in = text::parse_duration_ms(req.get_param_value("in"));
    return in ? std::optional<int64_t>{now_ms() + *in} : std::nullopt;
  }
  return 0;
}

void run_schedule(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto jobs = jobs_for_admin(ctx, req, res);
  if (!jobs)
    return;
  auto at = run_at(req);
  if (!at)
    return problem(res, 400, "at is an RFC 3339 time (2026-12-01T10:00:00Z); in is a duration (90s, 10m, 2h, 1d)");
  auto name = path_param(1);
  auto s = *at == 0 ? ask<schedule_info>(ctx, jobs, schedule_atom::value, run_atom::value, name)
                    : ask<schedule_info>(ctx, jobs, schedule_atom::value, run_atom::value, name, *at);
  if (!s)
    return problem(res, s.error());
  send_json(res, schedule_json(*s));
}

void deliveries(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto jobs = jobs_for_admin(ctx, req, res);
  if (!jobs)
    return;
  auto all = ask<std::vector<delivery>>(ctx, jobs, deliver_atom::value, list_atom::value, req.get_param_value("state"));
  if (!all)
    return problem(res, all.error());
  auto out = nlohmann::json::array();
  for (const auto& d : *all)
    out.push_back(delivery_json(d));
  send_json(res, {{"deliveries", out}});
}

// One delivery: read, retried (a dead letter) or dismissed.
template <class... Atoms>
void one_delivery(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res, Atoms... what) {
  auto jobs = jobs_for_admin(ctx, req, res);
  if (!jobs)
    return;
  auto d = ask<delivery>(ctx, jobs, deliver_atom::value, what..., path_param(1));
  if (!d)
    return problem(res, d.error());
  send_json(res, delivery_json(*d));
}

}  // namespace

void add_webhook_routes(router& r, const gateway_context& ctx) {
  using req_t = const httplib::Request&;
  using res_t = httplib::Response&;
  r.post("/api/v1/webhooks", {"api", auth_need::required}, [&ctx](req_t q, res_t s) { create(ctx, q, s); });
  r.get("/api/v1/webhooks", {"api", auth_need::required}, [&ctx](req_t q, res_t s) { list(ctx, q, s); });
  r.del("/api/v1/webhooks/{id}", {"api", auth_need::required}, [&ctx](req_t q, res_t s) { remove(ctx, q, s); });
  r.get("/api/v1/admin/schedules", {"api", auth_need::none}, [&ctx](req_t q, res_t s) { schedules(ctx, q, s); });
  r.post("/api/v1/admin/schedules/{name}/run", {"api", auth_need::none},
         [&ctx](req_t q, res_t s) { run_schedule(ctx, q, s); });
  r.get("/api/v1/admin/deliveries", {"api", auth_need::none}, [&ctx](req_t q, res_t s) { deliveries(ctx, q, s); });
  r.get("/api/v1/admin/deliveries/{id}", {"api", auth_need::none},
        [&ctx](req_t q, res_t s) { one_delivery(ctx, q, s, caf::get_atom::value); });
  r.post("/api/v1/admin/deliveries/{id}/retry", {"api", auth_need::none},
         [&ctx](req_t q, res_t s) { one_delivery(ctx, q, s, retry_atom::value); });
  r.post("/api/v1/admin/deliveries/{id}/dismiss", {"api", auth_need::none},
         [&ctx](req_t q, res_t s) { one_delivery(ctx, q, s, dismiss_atom::value); });
}

}  // namespace sg
