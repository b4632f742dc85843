// Playback analytics: players report views (anyone may; rate-limited and
// validated), owners read their videos' figures. The viewer is a signed-in
// wallet or the client's address and user agent, handed to the aggregator
// to hash with the day's salt; neither is stored. docs/architecture.md
// §Analytics.
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/lookup.hpp"
#include "gateway/problem.hpp"
#include "gateway/query_params.hpp"
#include "gateway/routes.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/json.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

using req_t = const httplib::Request&;
using res_t = httplib::Response&;

constexpr size_t max_events = 100;
constexpr int64_t day_ms = 24 * 3'600'000;

bool token_text(const std::string& s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

// A whole number in [0, max] under `key`, when present.
bool number(const nlohmann::json& e, const char* key, int64_t max, int64_t& out, std::string& why) {
  auto it = e.find(key);
  if (it == e.end())
    return true;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > max) {
    why = std::string{key} + " is a whole number of milliseconds from 0 to " + std::to_string(max);
    return false;
  }
  out = it->get<int64_t>();
  return true;
}

std::optional<view_event> parse_event(const nlohmann::json& e, std::string& why) {
  static const char* known[] = {"video_id", "view_id", "type", "position_ms", "watched_ms",
                                "startup_ms", "rebuffer_ms", "rendition"};
  if (!e.is_object()) {
    why = "an event is a JSON object";
    return std::nullopt;
  }
  for (const auto& [key, _] : e.items())
    if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return key == k; })) {
      why = "field '" + key + "' is unknown";
      return std::nullopt;
    }
  view_event v;
  auto text = [&](const char* key) { return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : ""; };
  v.video_id = text("video_id");
  v.view_id = text("view_id");
  v.rendition = text("rendition");
  auto type = parse_state<view_event_kind>(text("type"));
  if (!is_video_id(v.video_id))
    why = "video_id is a video id";
  else if (!token_text(v.view_id, 8, 64))
    why = "view_id is 8 to 64 letters, digits, '-' or '_'";
  else if (!type)
    why = "type is start, heartbeat, end or rebuffer";
  else if (!v.rendition.empty() && !token_text(v.rendition, 1, 16))
    why = "rendition is a rendition's name";
  else if (!e.contains("position_ms"))
    why = "position_ms is required";
  if (!why.empty())
    return std::nullopt;
  v.type = *type;
  if (!number(e, "position_ms", int64_t{1} << 40, v.position_ms, why) ||
      !number(e, "watched_ms", 3'600'000, v.watched_ms, why) || !number(e, "startup_ms", 600'000, v.startup_ms, why) ||
      !number(e, "rebuffer_ms", 3'600'000, v.rebuffer_ms, why))
    return std::nullopt;
  return v;
}

void report_events(const gateway_context& ctx, req_t req, res_t res) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
    return problem(res, 415, "send application/json");
  std::string why;
  auto body = parse_json(req.body, &why);
  if (!body)
    return problem(res, 400, why);
  auto list = body->is_array() ? *body : nlohmann::json::array({*body});
  if (list.empty() || list.size() > max_events)
    return problem(res, 400, "send 1 to " + std::to_string(max_events) + " events");
  std::vector<view_event> events;
  for (size_t i = 0; i < list.size(); ++i) {
    auto e = parse_event(list[i], why);
    if (!e)
      return problem(res, 400, "event " + std::to_string(i) + ": " + why);
    events.push_back(std::move(*e));
  }
  auto who = acting();
  auto viewer = !who.address.empty() ? "wallet:" + who.address
                                     : "net:" + req.remote_addr + "|" + req.get_header_value("User-Agent");
  auto taken = ask<uint64_t>(ctx, ctx.peer<service::analytics>(), event_atom::value, std::move(events), viewer);
  if (!taken)
    return problem(res, taken.error());
  send_json(res, {{"accepted", *taken}}, 202);
}

// ?window=24h|7d|30d (7d unless named): its length, or nothing with 400 answered.
std::optional<int64_t> window_of(req_t req, res_t res) {
  auto w = req.has_param("window") ? req.get_param_value("window") : "7d";
  if (w == "24h")
    return day_ms;
  if (w == "7d")
    return 7 * day_ms;
  if (w == "30d")
    return 30 * day_ms;
  problem(res, 400, "window is 24h, 7d or 30d");
  return std::nullopt;
}

void video_figures(const gateway_context& ctx, req_t req, res_t res) {
  auto window = window_of(req, res);
  if (!window)
    return;
  auto v = find_video(ctx, req, res);
  if (!v)
    return;
  if (!acting().owns(v->owner))
    return problem(res, 403, "only the owner sees this video's analytics");
  auto to = now_ms();
  auto step = *window == day_ms ? day_ms / 24 : day_ms;
  auto from = to - *window;
  from -= from % step;  // points on whole UTC hours or days
  auto r = ask<analytics_report>(ctx, ctx.peer<service::analytics>(), caf::get_atom::value, analytics_atom::value,
                                 *v, from, to, step);
  if (!r)
    return problem(res, r.error());
  auto renditions = nlohmann::json::array();
  for (const auto& x : r->renditions)
    renditions.push_back({{"name", x.name}, {"watch_time_ms", x.watch_ms}});
  auto series = nlohmann::json::array();
  for (const auto& p : r->series)
    series.push_back({{"start", iso8601_ms(p.start_ms)}, {"plays", p.plays}, {"watch_time_ms", p.watch_ms}});
  auto ratio = [](uint64_t part, uint64_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / whole; };
  send_json(res, {{"video_id", v->id},
                  {"window", req.has_param("window") ? req.get_param_value("window") : "7d"},
                  {"from", iso8601_ms(from)},
                  {"to", iso8601_ms(to)},
                  {"plays", r->plays},
                  {"unique_viewers", r->unique_viewers},
                  {"watch_time_ms", r->watch_ms},
                  {"completion_rate", ratio(r->completed, r->plays)},
                  {"startup_time_ms", {{"p50", r->startup_p50_ms}, {"p95", r->startup_p95_ms}}},
                  {"rebuffer_count", r->rebuffers},
                  {"rebuffer_ratio", ratio(r->rebuffer_ms, r->watch_ms + r->rebuffer_ms)},
                  {"renditions", renditions},
                  {"series", series}});
}

void top_videos(const gateway_context& ctx, req_t req, res_t res) {
  auto window = window_of(req, res);
  if (!window)
    return;
  auto limit = limit_param(req, 10, 50, res);
  if (!limit)
    return;
  auto to = now_ms();
  auto ranks = ask<std::vector<video_rank>>(ctx, ctx.peer<service::analytics>(), list_atom::value,
                                            analytics_atom::value, signed_in_user(), to - *window, to, *limit);
  if (!ranks)
    return problem(res, ranks.error());
  auto items = nlohmann::json::array();
  for (const auto& r : *ranks) {
    auto v = ask<video>(ctx, ctx.peer<service::video_store>(), caf::get_atom::value, video_atom::value, r.video_id);
    if (!v)
      continue;  // deleted since
    items.push_back({{"video_id", r.video_id}, {"title", v->title}, {"plays", r.plays}, {"watch_time_ms", r.watch_ms}});
  }
  send_json(res, {{"window", req.has_param("window") ? req.get_param_value("window") : "7d"}, {"items", items}});
}

}  // namespace

void add_analytics_routes(router& r, const gateway_context& ctx) {
  auto route = [&ctx](void (*f)(const gateway_context&, req_t, res_t)) {
    return [&ctx, f](req_t q, res_t s) { f(ctx, q, s); };
  };
  r.post("/api/v1/analytics/events", "api", route(report_events));
  r.get("/api/v1/analytics/top", {"api", auth_need::required}, route(top_videos));
  r.get("/api/v1/videos/{id}/analytics", {"api", auth_need::required}, route(video_figures));
}

}  // namespace sg
