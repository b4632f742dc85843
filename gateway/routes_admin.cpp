// Operator endpoints behind the admin token (X-Admin-Token): cache stats and
// invalidation, the cluster's members, recent log lines and alerts of any
// member. Without a configured token they answer 403.
#include <atomic>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "gateway/admin_token.hpp"
#include "gateway/ask.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/monitor_actor.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/clock.hpp"
#include "runtime/hash_ring.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/text.hpp"

namespace sg {

namespace {

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

// `since`: a duration back from now ("90s", "5m", "2h", "1d") or unix ms.
std::optional<int64_t> since_ms(const std::string& text) {
  if (text.empty())
    return 0;
  if (auto back = text::parse_duration_ms(text))
    return now_ms() - *back;
  auto n = text::parse_u64(text);
  if (!n || *n > static_cast<uint64_t>(INT64_MAX))
    return std::nullopt;
  return static_cast<int64_t>(*n);
}

// A member's monitor: this node's own, or the one the member offered (the
// directory knows each member's offers).
caf::expected<monitor_actor> monitor_of(const gateway_context& ctx, const member_view& m, bool self) {
  caf::actor monitor;
  if (self) {
    monitor = caf::actor_cast<caf::actor>(ctx.peer<service::monitor>());
  } else if (auto offered = ask<caf::actor>(ctx, ctx.directory, caf::get_atom::value, service::monitor,
                                            m.record.id)) {
    monitor = *offered;
  }
  if (!monitor)
    return make_error(errc::unavailable, m.record.name + " runs no monitor");
  return caf::actor_cast<monitor_actor>(monitor);
}

// The members a request's `node` names: this node by default; on a cluster a
// member (its name or id) or `all` (every member up). A node alone is "local".
struct named_members {
  std::vector<member_view> members;
  std::string self_id;  // empty: not clustered

  bool is_self(const member_view& m) const { return self_id.empty() || m.record.id == self_id; }
};

bool members_named(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res,
                   named_members& out) {
  auto cluster = ctx.peer<service::cluster>();
  if (!cluster) {
    if (req.has_param("node"))
      return problem(res, 400, "node= is for a cluster; this node runs alone"), false;
    member_view alone;
    alone.record.name = "local";
    out.members.push_back(alone);
    return true;
  }
  auto view = ask<cluster_view>(ctx, cluster, members_atom::value);
  if (!view)
    return problem(res, view.error()), false;
  out.self_id = view->self_id;
  const auto wanted = req.get_param_value("node");
  for (const auto& m : view->members)
    if (wanted == "all" ? (m.state == "up" || m.state == "self")
                        : (wanted.empty() ? m.state == "self" : m.record.id == wanted || m.record.name == wanted))
      out.members.push_back(m);
  if (out.members.empty())
    return problem(res, 404, "no member is named '" + wanted + "'"), false;
  return true;
}

// One member's lines, each tagged with the member's name.
caf::expected<nlohmann::json> member_logs(const gateway_context& ctx, const member_view& m, const log_query& q,
                                          bool self) {
  auto monitor = monitor_of(ctx, m, self);
  if (!monitor)
    return monitor.error();
  auto got = ask<log_lines>(ctx, *monitor, logs_atom::value, q);
  if (!got)
    return got.error();
  auto lines = nlohmann::json::array();
  for (const auto& text : got->lines)
    if (auto j = parse_json(text, nullptr, 32); j && j->is_object()) {
      (*j)["node"] = m.record.name;
      lines.push_back(std::move(*j));
    }
  return lines;
}

// The lines of every member named, merged in time order (ISO 8601 UTC
// timestamps with milliseconds sort as text), the newest `q.limit`.
caf::expected<nlohmann::json> merged_logs(const gateway_context& ctx, const named_members& which,
                                          const log_query& q) {
  auto lines = nlohmann::json::array();
  for (const auto& m : which.members) {
    auto got = member_logs(ctx, m, q, which.is_self(m));
    if (!got)
      return got.error();
    for (auto& line : *got)
      lines.push_back(std::move(line));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("ts", "") < b.value("ts", "");
  });
  if (lines.size() > q.limit)
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(lines.size() - q.limit));
  return lines;
}

// follow=1: the matching lines, then new ones as they come (NDJSON, polled
// every half second), until the client goes, the node drains, or an hour
// passed. Each follower holds an HTTP thread: a few at once per node.
constexpr auto follow_poll = std::chrono::milliseconds(500);
constexpr int64_t follow_longest_ms = 3'600'000;
constexpr int64_t follow_overlap_ms = 2000;  // lines reach a member's ring a little late
constexpr int most_followers = 4;
std::atomic<int> followers{0};

struct follow_state {
  named_members which;
  log_query query;
  int64_t until_ms = 0;
  std::map<std::string, int64_t> written;  // recent lines written, to skip them in the overlap
};

bool follow_step(const gateway_context& ctx, follow_state& f, httplib::DataSink& sink) {
  auto polled_ms = now_ms();
  auto lines = merged_logs(ctx, f.which, f.query);
  if (lines)
    for (const auto& line : *lines) {
      auto text = line.dump();
      if (!f.written.emplace(text, polled_ms).second)
        continue;
      text += '\n';
      if (!sink.write(text.data(), text.size()))
        return false;
    }
  for (auto it = f.written.begin(); it != f.written.end();)
    it = polled_ms - it->second > 2 * follow_overlap_ms ? f.written.erase(it) : std::next(it);
  f.query.since_ms = polled_ms - follow_overlap_ms;
  if (!sink.is_writable() || !ctx.started->load() || polled_ms > f.until_ms) {
    sink.done();
    return true;
  }
  std::this_thread::sleep_for(follow_poll);
  return true;
}

void follow(const gateway_context& ctx, httplib::Response& res, named_members which, log_query q) {
  if (followers.fetch_add(1) >= most_followers) {
    followers.fetch_sub(1);
    return problem(res, 503, "at most 4 log followers at once per node");
  }
  auto f = std::make_shared<follow_state>(follow_state{std::move(which), q, now_ms() + follow_longest_ms, {}});
  res.set_chunked_content_provider(
    "application/x-ndjson", [&ctx, f](size_t, httplib::DataSink& sink) { return follow_step(ctx, *f, sink); },
    [](bool) { followers.fetch_sub(1); });
}

// This node's lines, or those of the members `node` names, merged by time;
// with follow=1, new ones as they come.
void logs(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  log_query q;
  if (req.has_param("level")) {
    q.min_level = req.get_param_value("level");
    log::level known;
    if (!log::level_named(q.min_level, &known))
      return problem(res, 400, "level is one of debug, info, warn, error");
  }
  q.component = req.get_param_value("component");
  if (q.component.size() > 64)
    return problem(res, 400, "component is at most 64 characters");
  auto since = since_ms(req.get_param_value("since"));
  if (!since)
    return problem(res, 400, "since is a duration back from now (90s, 5m, 2h, 1d) or unix milliseconds");
  q.since_ms = *since;
  if (req.has_param("limit")) {
    auto limit = text::parse_u64(req.get_param_value("limit"));
    if (!limit || *limit == 0 || *limit > 10000)
      return problem(res, 400, "limit is 1 to 10000");
    q.limit = static_cast<uint32_t>(*limit);
  }
  const auto follow_wanted = req.get_param_value("follow");
  if (!follow_wanted.empty() && follow_wanted != "1" && follow_wanted != "0")
    return problem(res, 400, "follow is 1 or 0");
  named_members which;
  if (!members_named(ctx, req, res, which))
    return;
  if (follow_wanted == "1")
    return follow(ctx, res, std::move(which), q);
  auto lines = merged_logs(ctx, which, q);
  if (!lines)
    return problem(res, lines.error());
  send_json(res, {{"lines", *lines}});
}

nlohmann::json alert_json(const alert_info& a, const std::string& node) {
  nlohmann::json out = {{"node", node},           {"name", a.name},   {"state", a.state},
                        {"since", iso8601_ms(a.since_ms)}, {"value", a.value}, {"threshold", a.threshold},
                        {"summary", a.summary}};
  if (a.state == "resolved")
    out["until"] = iso8601_ms(a.until_ms);
  return out;
}

// The alerts of this node, or of the members `node` names.
void alerts(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  named_members which;
  if (!members_named(ctx, req, res, which))
    return;
  auto list = nlohmann::json::array();
  for (const auto& m : which.members) {
    auto monitor = monitor_of(ctx, m, which.is_self(m));
    if (!monitor)
      return problem(res, monitor.error());
    auto got = ask<alert_list>(ctx, *monitor, alerts_atom::value);
    if (!got)
      return problem(res, got.error());
    for (const auto& a : got->alerts)
      list.push_back(alert_json(a, m.record.name));
  }
  send_json(res, {{"alerts", list}});
}

}  // namespace

void add_admin_routes(router& r, const gateway_context& ctx) {
  r.get("/api/v1/admin/alerts", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { alerts(ctx, q, s); });
  r.get("/api/v1/admin/logs", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { logs(ctx, q, s); });
  r.get("/api/v1/admin/cache", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { stats(ctx, q, s); });
  r.del("/api/v1/admin/cache", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { invalidate(ctx, q, s); });
  r.get("/api/v1/cluster", {"api", auth_need::none},
        [&ctx](const httplib::Request& q, httplib::Response& s) { members(ctx, q, s); });
}

}  // namespace sg
