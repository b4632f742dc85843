#include "actors/jobs/schedules.hpp"

#include <nlohmann/json.hpp>

#include "runtime/json.hpp"

namespace sg::schedules {

std::string key_of(const definition& d, const std::string& node) {
  return d.scope == "cluster" ? "schedules/" + d.name : "schedules/" + d.name + "@" + node;
}

std::string to_text(const schedule_info& s) {
  return dump_json({{"name", s.name}, {"last_run_ms", s.last_run_ms}, {"next_run_ms", s.next_run_ms},
                    {"last_outcome", s.last_outcome}, {"last_detail", s.last_detail}, {"last_node", s.last_node}});
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
  return s;
}

}  // namespace sg::schedules
