#pragma once
// Which renditions a source gets (docs/architecture.md §Transcoding):
// standard rungs down from the source, never upscaled, the source's own
// height as a rung when it is below the top, aspect kept, even sizes, at most
// 60 fps, bitrate from bits per pixel.
#include <cstdint>
#include <string>
#include <vector>

namespace sg {

struct rung {
  std::string name;  // "720p"
  int width = 0;
  int height = 0;
  int64_t bitrate = 0;  // bits per second
};

struct ladder_plan {
  std::vector<rung> rungs;  // largest first
  int fps_num = 30;         // output frame rate, <= 60
  int fps_den = 1;
  int frame_step = 1;       // keep every n-th decoded frame (sources above 60 fps)
  int gop = 120;            // frames per segment: keyframes align every rung
};

/// Standard rung heights ("lines": the shorter side, so portrait works too).
const std::vector<int>& standard_heights();

/// `heights` restricts the rungs (e.g. {1080, 720, 360}); empty = standard.
ladder_plan plan_ladder(int src_width, int src_height, int fps_num, int fps_den,
                        int segment_seconds, const std::vector<int>& heights = {});

/// Bits per pixel per frame: ~0.10 at 1080 lines, ~0.15 at 360.
double bits_per_pixel(int lines);

}  // namespace sg
