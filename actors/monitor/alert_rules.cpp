#include "actors/monitor/alert_rules.hpp"

#include <cmath>

#include "runtime/log.hpp"
#include "runtime/text.hpp"

namespace sg {

bool alert_rule::holds(const alert_signals& s) const {
  const auto& v = s.*signal;
  if (!enabled || !v)
    return false;
  return below ? *v < threshold : *v >= threshold;
}

std::vector<alert_rule> default_alert_rules() {
  using s = alert_signals;
  return {
    {"transcode_failures", "transcode jobs failed in the last 5 minutes", &s::transcode_failures, false, 3, 0},
    {"transcode_backlog", "queued transcode jobs per worker", &s::queued_per_worker, false, 4, 60'000},
    {"transcode_queue_age", "seconds the oldest queued transcode job has waited", &s::oldest_queued_s, false,
     600, 0},
    {"disk_free", "free bytes on the data directory's disk", &s::data_free_bytes, true, double(1ULL << 30),
     30'000},
    {"rpc_circuit_open", "JSON-RPC endpoints whose circuit is open", &s::rpc_circuits_open, false, 1, 0},
    {"etcd_unreachable", "seconds since etcd last answered this node", &s::etcd_silent_s, false, 6, 0},
    {"node_down", "cluster members that went without leaving (kept an hour)", &s::members_down, false, 1, 0},
  };
}

std::string override_alert_rule(std::vector<alert_rule>& rules, const std::string& spec) {
  auto eq = spec.find('=');
  auto name = spec.substr(0, eq);
  auto it = std::find_if(rules.begin(), rules.end(), [&](const alert_rule& r) { return r.name == name; });
  if (eq == std::string::npos || it == rules.end())
    return "--alert '" + spec + "': expected NAME=THRESHOLD[/FOR_SECONDS] or NAME=off with a rule's name";
  auto value = spec.substr(eq + 1);
  if (value == "off") {
    it->enabled = false;
    return {};
  }
  auto slash = value.find('/');
  auto threshold = text::parse_double(value.substr(0, slash));
  std::optional<uint64_t> for_s = 0;
  if (slash != std::string::npos)
    for_s = text::parse_u64(value.substr(slash + 1));
  if (!threshold || !std::isfinite(*threshold) || *threshold < 0 || !for_s || *for_s > 86'400)
    return "--alert '" + spec + "': the threshold is a number >= 0, the duration 0 to 86400 seconds";
  it->threshold = *threshold;
  if (slash != std::string::npos)
    it->for_ms = static_cast<int64_t>(*for_s) * 1000;
  it->enabled = true;
  return {};
}

void alert_book::evaluate(const std::vector<alert_rule>& rules, const alert_signals& s) {
  for (const auto& rule : rules) {
    auto it = alerts_.find(rule.name);
    const bool holds = rule.holds(s);
    if (holds && (it == alerts_.end() || it->second.state == "resolved")) {
      alert_info a{rule.name, "pending", s.now_ms, 0, 0, rule.threshold, rule.summary};
      it = alerts_.insert_or_assign(rule.name, std::move(a)).first;
    }
    if (it == alerts_.end())
      continue;
    auto& a = it->second;
    if (auto v = s.*rule.signal)
      a.value = *v;
    a.threshold = rule.threshold;
    if (holds && a.state == "pending" && s.now_ms - a.since_ms >= rule.for_ms) {
      a.state = "firing";
      a.since_ms = s.now_ms;
      log::warn("monitor", "alert firing", {{"alert", a.name}, {"value", a.value}, {"threshold", a.threshold}});
    } else if (!holds && a.state == "pending") {
      alerts_.erase(it);
    } else if (!holds && a.state == "firing") {
      a.state = "resolved";
      a.until_ms = s.now_ms;
      log::info("monitor", "alert resolved", {{"alert", a.name}, {"value", a.value}});
    } else if (a.state == "resolved" && s.now_ms - a.until_ms > keep_resolved_ms) {
      alerts_.erase(it);
    }
  }
}

std::vector<alert_info> alert_book::list() const {
  std::vector<alert_info> out;
  for (const auto& [name, a] : alerts_)
    out.push_back(a);
  return out;
}

bool alert_book::firing(const std::string& name) const {
  auto it = alerts_.find(name);
  return it != alerts_.end() && it->second.state == "firing";
}

}  // namespace sg
