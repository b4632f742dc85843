#include "messages/video_json.hpp"

#include <nlohmann/json.hpp>

namespace sg {

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
  v.status = j.value("status", "queued");
  v.error = j.value("error", "");
  v.filename = j.value("filename", "");
  v.progress = j.value("progress", 0.0);
  v.duration_ms = j.value("duration_ms", int64_t{0});
  v.source_bytes = j.value("source_bytes", uint64_t{0});
  v.created_ms = j.value("created_ms", int64_t{0});
  v.updated_ms = j.value("updated_ms", int64_t{0});
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
  u.state = j.value("state", "active");
}

}  // namespace sg
