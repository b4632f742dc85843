#include "gateway/dispatch.hpp"

#include <unordered_map>

#include "gateway/problem.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace {

metrics::gauge& in_flight() {
  static auto& g = metrics::global().get_gauge("streamgate_http_requests_in_flight",
                                               "HTTP requests being served");
  return g;
}

void record(const httplib::Request& req, const httplib::Response& res) {
  auto& ctx = current_request();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  auto status = std::to_string(res.status);
  // Series are found once per thread: the registry's lock and label
  // rendering stay off the per-request path.
  thread_local std::unordered_map<std::string, metrics::counter*> counters;
  thread_local std::unordered_map<std::string, metrics::histogram*> histograms;
  const auto& route = ctx.label();
  auto series = req.method + ' ' + route;
  auto& latency = histograms[series];
  if (latency == nullptr) {
    static const std::vector<double> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    latency = &metrics::global().get_histogram("streamgate_http_request_duration_seconds",
                                               "HTTP request latency",
                                               {{"method", req.method}, {"route", route}}, bounds);
  }
  auto& answered = counters[series + ' ' + status];
  if (answered == nullptr)
    answered = &metrics::global().get_counter(
      "streamgate_http_requests_total", "HTTP requests answered",
      {{"method", req.method}, {"route", route}, {"status", status}});
  answered->inc();
  latency->observe(seconds);
  log::info("access", "request",
            {{"request_id", ctx.id}, {"method", req.method}, {"route", route},
             {"path", req.path}, {"status", res.status}, {"bytes", res.body.size()},
             {"duration_ms", seconds * 1000}, {"remote", req.remote_addr}});
}

// Statuses set without a body (404 after the filters) get one here.
void explain(const httplib::Request& req, httplib::Response& res) {
  if (res.body.empty() && req.method != "HEAD")
    problem(res, res.status, res.status == 404 ? "no such resource: " + req.path
                                               : status_title(res.status));
}

}  // namespace

void send_file(httplib::Response& res, std::shared_ptr<file_body> f) {
  res.status = f->ranges.empty() ? 200 : 206;
  current_request().file = std::move(f);
}

void dispatcher::add(const route_spec& spec, handler whole, stream_handler stream) {
  entries_.emplace(&spec, entry{std::move(whole), std::move(stream)});
}

request_plan dispatcher::plan(const httplib::Request& req) const {
  const auto* route = routes_->find(req.method, req.path);
  if (route == nullptr)
    return {};
  return {route->body, route->on_loop && !req.has_header("Authorization")};
}

std::string dispatcher::refusal(int status, const std::string& detail) const {
  return dump_json({{"type", "about:blank"}, {"title", status_title(status)}, {"status", status},
                    {"detail", detail}, {"request_id", fresh_request_id()}});
}

void dispatcher::serve(exchange& x) {
  auto& ctx = current_request();
  ctx = request_context{};
  ctx.start = std::chrono::steady_clock::now();
  ctx.route = routes_->find(x.req.method, x.req.path);
  in_flight().add(1);
  try {
    run(x, ctx);
  } catch (const std::exception& e) {
    log::error("gateway", "handler threw", {{"request_id", ctx.id}, {"path", x.req.path}, {"error", e.what()}});
    x.file.reset();
    problem(x.res, 500, "internal error");
  }
  try {
    if (x.res.status == -1)
      x.res.status = 200;
    if (x.res.status >= 400)
      explain(x.req, x.res);
    record(x.req, x.res);
  } catch (const std::exception&) {
    x.res.status = 500;
    x.res.set_content(R"({"type":"about:blank","title":"Server Error","status":500})", "application/problem+json");
  }
  in_flight().add(-1);
  x.close = ctx.close_connection;
  if (x.res.status < 300)
    x.file = std::move(ctx.file);
  ctx = request_context{};
}

void dispatcher::run(exchange& x, request_context& ctx) const {
  for (const auto& m : *chain_)
    if (!m->on_request(x.req, x.res, ctx))
      return;
  if (x.body_too_large)
    return problem(x.res, 413, "the body exceeds the limit of this route");
  if (ctx.route == nullptr) {
    x.res.status = 404;
    return;
  }
  const auto& e = entries_.at(ctx.route);
  ctx.route->captures(x.req.path, ctx.path_params);
  if (e.stream)
    e.stream(x.req, x.res, x.body);
  else
    e.whole(x.req, x.res);
}

}  // namespace sg
