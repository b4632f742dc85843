#pragma once
// A video as every service sees it, plus the queries and edits made on it.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/gate.hpp"
#include "messages/states.hpp"

namespace sg {

/// One encoded rendition as the encoder really produced it: the playlists
/// and the MPD are written from these figures, never from guesses.
struct rendition {
  std::string name;  // "720p", or "audio"
  std::string kind;  // "video" | "audio"
  int32_t width = 0;
  int32_t height = 0;
  int32_t fps_num = 0;
  int32_t fps_den = 1;
  int32_t sample_rate = 0;
  int32_t channels = 0;
  std::string codecs;          // RFC 6381: avc1.64001f, mp4a.40.2
  int64_t bandwidth = 0;       // peak segment bits per second
  int64_t average_bandwidth = 0;
  std::vector<double> segments;  // seconds; files seg_00001.m4s onwards
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rendition& x) {
  return f(caf::meta::type_name("rendition"), x.name, x.kind, x.width, x.height, x.fps_num,
           x.fps_den, x.sample_rate, x.channels, x.codecs, x.bandwidth, x.average_bandwidth,
           x.segments);
}

/// What probing found in the uploaded file.
struct source_info {
  std::string container;
  std::string video_codec;
  std::string audio_codec;  // empty: no audio
  int32_t width = 0;
  int32_t height = 0;
  double fps = 0;
  int64_t duration_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, source_info& x) {
  return f(caf::meta::type_name("source_info"), x.container, x.video_codec, x.audio_codec,
           x.width, x.height, x.fps, x.duration_ms);
}

/// Lifecycle: uploading -> queued -> transcoding -> ready | failed.
struct video {
  std::string id;
  std::string title;
  std::string description;
  std::vector<std::string> tags;
  std::string owner;
  video_status status = video_status::queued;
  std::string error;     // why the video failed, for humans
  std::string filename;  // as the uploader named it
  double progress = 0;   // 0..1 of the current transcode
  int64_t duration_ms = 0;
  uint64_t source_bytes = 0;
  source_info source;
  std::vector<rendition> renditions;
  std::string job_id;  // the latest transcode job
  gate access;         // rules empty: anyone may watch
  std::string category;  // a category's slug; empty: none
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video& x) {
  return f(caf::meta::type_name("video"), x.id, x.title, x.description, x.tags,
           x.owner, x.status, x.error, x.filename, x.progress, x.duration_ms,
           x.source_bytes, x.source, x.renditions, x.job_id, x.access, x.category, x.created_ms,
           x.updated_ms);
}

/// An edit of the user-owned fields; a `has_*` flag says the field is set.
struct video_patch {
  bool has_title = false;
  std::string title;
  bool has_description = false;
  std::string description;
  bool has_tags = false;
  std::vector<std::string> tags;
  bool has_gate = false;
  gate access;
  bool has_category = false;
  std::string category;  // empty: none
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_patch& x) {
  return f(caf::meta::type_name("video_patch"), x.has_title, x.title,
           x.has_description, x.description, x.has_tags, x.tags, x.has_gate, x.access,
           x.has_category, x.category);
}

/// Search and listing: AND of the terms in `q` (the last one a prefix),
/// optional exact filters (no status: any), newest first, `cursor` from the
/// previous page.
struct video_query {
  std::string q;
  std::string tag;
  std::string owner;
  std::string category;  // a slug
  // A playlist's videos in its order; the cursor is then a position.
  std::string playlist;
  std::vector<video_status> status;
  std::string cursor;
  uint32_t limit = 20;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_query& x) {
  return f(caf::meta::type_name("video_query"), x.q, x.tag, x.owner, x.category, x.playlist,
           x.status, x.cursor, x.limit);
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
