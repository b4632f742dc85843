#include "messages/catalogue_json.hpp"

#include "messages/video_json.hpp"

namespace sg {

void to_json(nlohmann::json& j, const category& c) {
  j = {{"slug", c.slug},
       {"name", c.name},
       {"description", c.description},
       {"created_ms", c.created_ms},
       {"updated_ms", c.updated_ms}};
}

// Missing keys keep their defaults, as for every stored record.
void from_json(const nlohmann::json& j, category& c) {
  c.slug = j.value("slug", "");
  c.name = j.value("name", "");
  c.description = j.value("description", "");
  c.created_ms = j.value("created_ms", int64_t{0});
  c.updated_ms = j.value("updated_ms", int64_t{0});
}

void to_json(nlohmann::json& j, const playlist& p) {
  j = {{"id", p.id},
       {"owner", p.owner},
       {"title", p.title},
       {"description", p.description},
       {"visibility", p.visibility},
       {"video_ids", p.video_ids},
       {"created_ms", p.created_ms},
       {"updated_ms", p.updated_ms}};
}

void from_json(const nlohmann::json& j, playlist& p) {
  p.id = j.value("id", "");
  p.owner = j.value("owner", "");
  p.title = j.value("title", "");
  p.description = j.value("description", "");
  // Fails closed: only a record that says public is listed.
  p.visibility = j.value("visibility", "") == "public" ? playlist_visibility::is_public : playlist_visibility::unlisted;
  p.video_ids = j.value("video_ids", std::vector<std::string>{});
  p.created_ms = j.value("created_ms", int64_t{0});
  p.updated_ms = j.value("updated_ms", int64_t{0});
}

}  // namespace sg
