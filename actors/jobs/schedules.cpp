#include "actors/jobs/schedules.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "runtime/json.hpp"

namespace sg::schedules {

std::string key_of(const definition& d, const std::string& node) {
  return d.scope == "cluster" ? "schedules/" + d.name : "schedules/" + d.name + "@" + node;
}

std::string to_text(const schedule_info& s) {
  return dump_json({{"name", s.name}, {"last_run_ms", s.last_run_ms}, {"next_run_ms", s.next_run_ms},
                    {"last_outcome", s.last_outcome}, {"last_detail", s.last_detail}, {"last_node", s.last_node},
                    {"failures", s.failures}});
}

std::optional<schedule_info> from_text(const std::string& text) {
  auto j = parse_json(text);
  if (!j || !j->is_object())
    return std::nullopt;
  try {
    schedule_info s;
    s.name = j->at("name").get<std::string>();
    s.last_run_ms = j->value("last_run_ms", int64_t{0});
    s.next_run_ms = j->value("next_run_ms", int64_t{0});
    s.last_outcome = j->value("last_outcome", "");
    s.last_detail = j->value("last_detail", "");
    s.last_node = j->value("last_node", "");
    s.failures = j->value("failures", uint32_t{0});
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::optional<schedule_info> claim(const definition& d, const std::optional<schedule_info>& stored,
                                   const std::string& node, int64_t now_ms, bool force) {
  if (!force && stored && stored->next_run_ms > now_ms)
    return std::nullopt;
  schedule_info s;
  s.name = d.name;
  s.summary = d.summary;
  s.scope = d.scope;
  s.every_ms = d.every_ms;
  s.last_run_ms = now_ms;
  s.next_run_ms = now_ms + d.every_ms;
  s.last_outcome = "running";
  s.last_node = node;
  s.failures = stored ? stored->failures : 0;
  return s;
}

schedule_info settle(schedule_info claimed, const caf::expected<std::string>& detail, uint32_t max_attempts,
                     int64_t backoff_ms) {
  if (detail) {
    claimed.last_outcome = "ok";
    claimed.last_detail = *detail;
    claimed.failures = 0;
    return claimed;
  }
  claimed.last_detail = to_string(detail.error());
  claimed.failures += 1;
  if (claimed.failures >= max_attempts) {
    claimed.last_outcome = "failed";  // gave up until the next period
    claimed.last_detail += " (" + std::to_string(claimed.failures) + " failed runs in a row)";
    claimed.failures = 0;
    return claimed;
  }
  claimed.last_outcome = "retrying";
  auto shift = std::min<uint32_t>(claimed.failures - 1, 30);
  claimed.next_run_ms = std::min(claimed.next_run_ms, claimed.last_run_ms + (backoff_ms << shift));
  return claimed;
}

schedule_info delay(const definition& d, const std::optional<schedule_info>& stored, int64_t at_ms) {
  schedule_info s = stored.value_or(schedule_info{});
  s.name = d.name;
  s.next_run_ms = at_ms;
  return s;
}

}  // namespace sg::schedules
