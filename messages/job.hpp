#pragma once
// A transcode job: its stored record, what a worker reports, and the change a
// finished job makes to its video.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/video.hpp"

namespace sg {

/// One attempt at a job: when it ended, on which member, and how
/// ("succeeded", "cancelled", or the error).
struct job_attempt {
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string node;
  std::string outcome;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_attempt& x) {
  return f(caf::meta::type_name("job_attempt"), x.started_ms, x.ended_ms, x.node, x.outcome);
}

struct job_info {
  std::string id;
  std::string video_id;
  std::string owner;  // the video's: who may cancel or re-run it
  job_state state = job_state::queued;
  uint32_t attempts = 0;
  uint32_t crashes = 0;      // attempts whose worker process died: two make it poisonous
  double progress = 0;       // 0..1
  int64_t position_ms = 0;   // media time the encoders have reached
  std::string error;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t not_before_ms = 0;  // retry backoff
  std::string node;  // on a cluster, the member that claimed it: only its writes count
  std::vector<job_attempt> history;  // the latest attempts, oldest first
  bool dismissed = false;  // a failed job the operator put aside: no longer a dead letter

  bool active() const { return state == job_state::queued || state == job_state::running; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_info& x) {
  return f(caf::meta::type_name("job_info"), x.id, x.video_id, x.owner, x.state, x.attempts, x.crashes,
           x.progress, x.position_ms, x.error, x.created_ms, x.updated_ms, x.not_before_ms, x.node, x.history,
           x.dismissed);
}

/// What a source may hold before it is refused: checked at probe time and
/// again while decoding (a header can lie). Defaults are README's.
struct source_limits {
  int32_t max_width = 7680;
  int32_t max_height = 4320;
  int64_t max_pixels = 7680 * 4320;  // of one frame
  double max_fps = 240;
  int64_t max_duration_ms = 6 * 3600 * 1000;
  int32_t max_streams = 16;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, source_limits& x) {
  return f(caf::meta::type_name("source_limits"), x.max_width, x.max_height, x.max_pixels,
           x.max_fps, x.max_duration_ms, x.max_streams);
}

/// Everything a worker needs to run one job, wherever it runs: it reads the
/// source and writes the renditions under out_dir, and knows no settings.
struct transcode_ticket {
  std::string job_id;
  std::string video_id;
  std::string source;   // the one file it may open
  std::string out_dir;  // where renditions are built before they are published
  std::string publish_dir;
  std::string preset = "veryfast";
  int32_t segment_seconds = 4;
  std::vector<int32_t> heights;  // empty: the standard ladder
  source_limits limits;
  int64_t cpu_seconds = 0;  // CPU the job may use; 0: no limit
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcode_ticket& x) {
  return f(caf::meta::type_name("transcode_ticket"), x.job_id, x.video_id, x.source, x.out_dir,
           x.publish_dir, x.preset, x.segment_seconds, x.heights, x.limits, x.cpu_seconds);
}

/// What a worker reports when its job ends.
struct transcode_outcome {
  std::string job_id;
  job_state status = job_state::failed;  // succeeded, failed or cancelled
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
  video_status status = video_status::queued;
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
