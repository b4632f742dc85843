#pragma once
// The in-process transcode: probe, decode once, scale to every rung, encode
// H.264 with aligned GOPs and AAC once, package CMAF for HLS and DASH.
// Blocking and CPU-heavy: it runs on a detached worker's own thread.
#include <functional>
#include <string>
#include <vector>

#include "messages/job.hpp"
#include "messages/video.hpp"

namespace sg {

struct transcode_spec {
  std::string source;
  std::string out_dir;  // receives <rung>/, audio/, master.m3u8, manifest.mpd, poster.jpg
  int segment_seconds = 4;
  std::string preset = "veryfast";
  std::vector<int> heights;  // empty: the standard ladder
  source_limits limits;
};

struct transcode_result {
  source_info source;
  std::vector<rendition> renditions;
  double duration_s = 0;
};

/// Called with the fraction done; returning false cancels (av::cancelled).
using progress_fn = std::function<bool(double)>;

/// Throws av::failure (permanent when the input is at fault) or av::cancelled.
transcode_result transcode(const transcode_spec& spec, const progress_fn& progress);

/// Only the probe: what the file holds. Throws av::failure.
source_info probe_source(const std::string& path, const source_limits& limits);

/// The containers a creator uploads (libavformat demuxer names). Nothing that
/// opens other files: no playlists (hls, dash), no concat, no image sequences.
extern const char* const accepted_containers;

}  // namespace sg
