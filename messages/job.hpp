#pragma once
// A transcode job: its stored record, what a worker reports, and the change a
// finished job makes to its video.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/video.hpp"

namespace sg {

struct job_info {
  std::string id;
  std::string video_id;
  std::string state = "queued";  // queued | running | succeeded | failed | cancelled
  uint32_t attempts = 0;
  double progress = 0;       // 0..1
  int64_t position_ms = 0;   // media time the encoders have reached
  std::string error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t not_before_ms = 0;  // retry backoff

  bool active() const { return state == "queued" || state == "running"; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_info& x) {
  return f(caf::meta::type_name("job_info"), x.id, x.video_id, x.state, x.attempts, x.progress,
           x.position_ms, x.error, x.created_ms, x.updated_ms, x.not_before_ms);
}

/// What a worker reports when its job ends.
struct transcode_outcome {
  std::string job_id;
  std::string status;  // succeeded | failed | cancelled
  bool permanent = false;  // a failure that retrying cannot fix
  std::string error;
  source_info source;
  std::vector<rendition> renditions;
  int64_t duration_ms = 0;
  double seconds_spent = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcode_outcome& x) {
  return f(caf::meta::type_name("transcode_outcome"), x.job_id, x.status, x.permanent, x.error,
           x.source, x.renditions, x.duration_ms, x.seconds_spent);
}

/// A system change of a video's processing state, applied to the stored
/// record field by field (user edits made meanwhile are kept).
struct video_state {
  std::string video_id;
  std::string status;
  double progress = 0;
  std::string error;
  std::string job_id;
  bool has_media = false;  // then source, renditions and duration are set
  source_info source;
  std::vector<rendition> renditions;
  int64_t duration_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_state& x) {
  return f(caf::meta::type_name("video_state"), x.video_id, x.status, x.progress, x.error,
           x.job_id, x.has_media, x.source, x.renditions, x.duration_ms);
}

}  // namespace sg
