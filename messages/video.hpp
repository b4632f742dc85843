#pragma once
// A video as every service sees it, plus the queries and edits made on it.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace sg {

/// Lifecycle: uploading -> queued -> transcoding -> ready | failed.
struct video {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> tags;
  std::string owner;
  std::string status = "queued";
  std::string error;     // why the video failed, for humans
  std::string filename;  // as the uploader named it
  double progress = 0;   // 0..1 of the current transcode
  int64_t duration_ms = 0;
  uint64_t source_bytes = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video& x) {
  return f(caf::meta::type_name("video"), x.id, x.title, x.description, x.tags,
           x.owner, x.status, x.error, x.filename, x.progress, x.duration_ms,
           x.source_bytes, x.created_ms, x.updated_ms);
}

/// An edit of the user-owned fields; a `has_*` flag says the field is set.
struct video_patch {
  bool has_title = false;
  std::string title;
  bool has_description = false;
  std::string description;
  bool has_tags = false;
  std::vector<std::string> tags;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_patch& x) {
  return f(caf::meta::type_name("video_patch"), x.has_title, x.title,
           x.has_description, x.description, x.has_tags, x.tags);
}

/// Search and listing: AND of the terms in `q` (the last one a prefix),
/// optional exact filters, newest first, `cursor` from the previous page.
struct video_query {
  std::string q;
  std::string tag;
  std::string owner;
  std::string status;
  std::string cursor;
  uint32_t limit = 20;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_query& x) {
  return f(caf::meta::type_name("video_query"), x.q, x.tag, x.owner, x.status,
           x.cursor, x.limit);
}

struct video_page {
  std::vector<video> items;
  std::string next_cursor;  // empty on the last page
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_page& x) {
  return f(caf::meta::type_name("video_page"), x.items, x.next_cursor);
}

}  // namespace sg
