#pragma once
// The catalogue around the videos: categories (the operator's) and playlists
// (their owners'). A video names one category by slug; a playlist lists
// video ids in order. Neither owns its videos: deleting one leaves them.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/states.hpp"

namespace sg {

struct category {
  std::string slug;  // the identity: [a-z0-9-], never changes
  std::string name;
  std::string description;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, category& x) {
  return f(caf::meta::type_name("category"), x.slug, x.name, x.description, x.created_ms, x.updated_ms);
}

/// A rename or a new description; a `has_*` flag says the field is set.
struct category_patch {
  bool has_name = false;
  std::string name;
  bool has_description = false;
  std::string description;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, category_patch& x) {
  return f(caf::meta::type_name("category_patch"), x.has_name, x.name, x.has_description, x.description);
}

struct playlist {
  std::string id;
  std::string owner;
  std::string title;
  std::string description;
  playlist_visibility visibility = playlist_visibility::is_public;
  std::vector<std::string> video_ids;  // in play order; a deleted video is skipped
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, playlist& x) {
  return f(caf::meta::type_name("playlist"), x.id, x.owner, x.title, x.description, x.visibility,
           x.video_ids, x.created_ms, x.updated_ms);
}

struct playlist_patch {
  bool has_title = false;
  std::string title;
  bool has_description = false;
  std::string description;
  bool has_visibility = false;
  playlist_visibility visibility = playlist_visibility::is_public;
  bool has_video_ids = false;
  std::vector<std::string> video_ids;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, playlist_patch& x) {
  return f(caf::meta::type_name("playlist_patch"), x.has_title, x.title, x.has_description,
           x.description, x.has_visibility, x.visibility, x.has_video_ids, x.video_ids);
}

}  // namespace sg
