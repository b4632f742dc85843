#include "messages/video_json.hpp"

#include <nlohmann/json.hpp>

namespace sg {

void to_json(nlohmann::json& j, const rendition& r) {
  j = {{"name", r.name},         {"kind", r.kind},
       {"width", r.width},       {"height", r.height},
       {"fps_num", r.fps_num},   {"fps_den", r.fps_den},
       {"sample_rate", r.sample_rate}, {"channels", r.channels},
       {"codecs", r.codecs},     {"bandwidth", r.bandwidth},
       {"average_bandwidth", r.average_bandwidth}, {"segments", r.segments}};
}

void from_json(const nlohmann::json& j, rendition& r) {
  r.name = j.value("name", "");
  r.kind = j.value("kind", "video");
  r.width = j.value("width", 0);
  r.height = j.value("height", 0);
  r.fps_num = j.value("fps_num", 0);
  r.fps_den = j.value("fps_den", 1);
  r.sample_rate = j.value("sample_rate", 0);
  r.channels = j.value("channels", 0);
  r.codecs = j.value("codecs", "");
  r.bandwidth = j.value("bandwidth", int64_t{0});
  r.average_bandwidth = j.value("average_bandwidth", int64_t{0});
  r.segments = j.value("segments", std::vector<double>{});
}

void to_json(nlohmann::json& j, const source_info& s) {
  j = {{"container", s.container}, {"video_codec", s.video_codec},
       {"audio_codec", s.audio_codec}, {"width", s.width}, {"height", s.height},
       {"fps", s.fps}, {"duration_ms", s.duration_ms}};
}

void from_json(const nlohmann::json& j, source_info& s) {
  s.container = j.value("container", "");
  s.video_codec = j.value("video_codec", "");
  s.audio_codec = j.value("audio_codec", "");
  s.width = j.value("width", 0);
  s.height = j.value("height", 0);
  s.fps = j.value("fps", 0.0);
  s.duration_ms = j.value("duration_ms", int64_t{0});
}

void to_json(nlohmann::json& j, const gate& g) {
  auto rules = nlohmann::json::array();
  for (const auto& r : g.rules) {
    nlohmann::json one = {{"chain_id", r.chain_id}, {"contract", r.contract},
                          {"standard", r.standard}, {"min_balance", r.min_balance}};
    if (!r.token_id.empty())
      one["token_id"] = r.token_id;
    rules.push_back(std::move(one));
  }
  j = {{"mode", g.mode}, {"rules", rules}};
}

void from_json(const nlohmann::json& j, gate& g) {
  g.mode = j.value("mode", gate_mode::any);
  g.rules.clear();
  for (const auto& r : j.value("rules", nlohmann::json::array())) {
    gate_rule rule;
    rule.chain_id = r.value("chain_id", uint64_t{0});
    rule.contract = r.value("contract", "");
    rule.standard = r.value("standard", token_standard::detect);
    rule.token_id = r.value("token_id", "");
    rule.min_balance = r.value("min_balance", uint64_t{1});
    g.rules.push_back(std::move(rule));
  }
}

void to_json(nlohmann::json& j, const video& v) {
  j = {{"id", v.id},
       {"title", v.title},
       {"description", v.description},
       {"tags", v.tags},
       {"owner", v.owner},
       {"status", v.status},
       {"error", v.error},
       {"filename", v.filename},
       {"progress", v.progress},
       {"duration_ms", v.duration_ms},
       {"source_bytes", v.source_bytes},
       {"source", v.source},
       {"renditions", v.renditions},
       {"job_id", v.job_id},
       {"gate", v.access.rules.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.access)},
       {"category", v.category.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.category)},
       {"created_ms", v.created_ms},
       {"updated_ms", v.updated_ms}};
}

// Missing keys keep their defaults, so records written by older versions load.
void from_json(const nlohmann::json& j, video& v) {
  v.id = j.value("id", "");
  v.title = j.value("title", "");
  v.description = j.value("description", "");
  v.tags = j.value("tags", std::vector<std::string>{});
  v.owner = j.value("owner", "");
  v.status = j.value("status", video_status::queued);
  v.error = j.value("error", "");
  v.filename = j.value("filename", "");
  v.progress = j.value("progress", 0.0);
  v.duration_ms = j.value("duration_ms", int64_t{0});
  v.source_bytes = j.value("source_bytes", uint64_t{0});
  v.source = j.value("source", source_info{});
  v.renditions = j.value("renditions", std::vector<rendition>{});
  v.job_id = j.value("job_id", "");
  if (j.contains("gate") && j["gate"].is_object())
    v.access = j["gate"].get<gate>();
  if (j.contains("category") && j["category"].is_string())
    v.category = j["category"].get<std::string>();
  v.created_ms = j.value("created_ms", int64_t{0});
  v.updated_ms = j.value("updated_ms", int64_t{0});
}

void to_json(nlohmann::json& j, const job_info& x) {
  j = {{"id", x.id},           {"video_id", x.video_id},     {"owner", x.owner}, {"state", x.state},
       {"attempts", x.attempts}, {"crashes", x.crashes},
       {"progress", x.progress}, {"position_ms", x.position_ms},
       {"error", x.error},     {"created_ms", x.created_ms}, {"updated_ms", x.updated_ms},
       {"not_before_ms", x.not_before_ms}};
  if (!x.node.empty())
    j["node"] = x.node;
  auto history = nlohmann::json::array();
  for (const auto& a : x.history)
    history.push_back({{"started_ms", a.started_ms}, {"ended_ms", a.ended_ms}, {"node", a.node}, {"outcome", a.outcome}});
  j["history"] = std::move(history);
  if (x.dismissed)
    j["dismissed"] = true;
}

void from_json(const nlohmann::json& j, job_info& x) {
  x.id = j.value("id", "");
  x.video_id = j.value("video_id", "");
  x.owner = j.value("owner", "");
  x.state = j.value("state", job_state::queued);
  x.attempts = j.value("attempts", 0u);
  x.crashes = j.value("crashes", 0u);
  x.progress = j.value("progress", 0.0);
  x.position_ms = j.value("position_ms", int64_t{0});
  x.error = j.value("error", "");
  x.created_ms = j.value("created_ms", int64_t{0});
  x.updated_ms = j.value("updated_ms", int64_t{0});
  x.not_before_ms = j.value("not_before_ms", int64_t{0});
  x.node = j.value("node", "");
  x.history.clear();
  if (auto h = j.find("history"); h != j.end() && h->is_array())
    for (const auto& a : *h)
      if (a.is_object())
        x.history.push_back({a.value("started_ms", int64_t{0}), a.value("ended_ms", int64_t{0}), a.value("node", ""),
                             a.value("outcome", "")});
  x.dismissed = j.value("dismissed", false);
}

void to_json(nlohmann::json& j, const upload_info& u) {
  j = {{"id", u.id},
       {"video_id", u.video_id},
       {"length", u.spec.length},
       {"filename", u.spec.filename},
       {"title", u.spec.title},
       {"description", u.spec.description},
       {"tags", u.spec.tags},
       {"owner", u.spec.owner},
       {"raw_metadata", u.spec.raw_metadata},
       {"partial", u.spec.partial},
       {"concat_parts", u.spec.concat_parts},
       {"concat_lengths", u.spec.concat_lengths},
       {"offset", u.offset},
       {"created_ms", u.created_ms},
       {"expires_ms", u.expires_ms},
       {"state", u.state}};
}

void from_json(const nlohmann::json& j, upload_info& u) {
  u.id = j.value("id", "");
  u.video_id = j.value("video_id", "");
  u.spec.length = j.value("length", uint64_t{0});
  u.spec.filename = j.value("filename", "");
  u.spec.title = j.value("title", "");
  u.spec.description = j.value("description", "");
  u.spec.tags = j.value("tags", std::vector<std::string>{});
  u.spec.owner = j.value("owner", "");
  u.spec.raw_metadata = j.value("raw_metadata", "");
  u.spec.partial = j.value("partial", false);
  u.spec.concat_parts = j.value("concat_parts", std::vector<std::string>{});
  u.spec.concat_lengths = j.value("concat_lengths", std::vector<uint64_t>{});
  u.offset = j.value("offset", uint64_t{0});
  u.created_ms = j.value("created_ms", int64_t{0});
  u.expires_ms = j.value("expires_ms", int64_t{0});
  u.state = j.value("state", upload_state::active);
}

}  // namespace sg
