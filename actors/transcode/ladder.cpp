#include "actors/transcode/ladder.hpp"

#include <algorithm>
#include <cmath>

namespace sg {

const std::vector<int>& standard_heights() {
  static const std::vector<int> h{2160, 1440, 1080, 720, 480, 360, 240};
  return h;
}

double bits_per_pixel(int lines) {
  return std::clamp(0.10 + 0.05 * (1080.0 - lines) / 720.0, 0.07, 0.17);
}

namespace {
int even(double v) {
  return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2);
}
}  // namespace

ladder_plan plan_ladder(int src_width, int src_height, int fps_num, int fps_den,
                        int segment_seconds, const std::vector<int>& heights) {
  ladder_plan plan;
  if (fps_num <= 0 || fps_den <= 0) {
    fps_num = 30;
    fps_den = 1;
  }
  // Above 60 fps keep every n-th frame: 120 -> 60, 100 -> 50.
  double fps = static_cast<double>(fps_num) / fps_den;
  plan.frame_step = std::max(1, static_cast<int>(std::ceil(fps / 60.0 - 1e-9)));
  plan.fps_num = fps_num;
  plan.fps_den = fps_den * plan.frame_step;
  double out_fps = static_cast<double>(plan.fps_num) / plan.fps_den;
  plan.gop = std::max(1, static_cast<int>(std::lround(out_fps * segment_seconds)));

  const bool portrait = src_height > src_width;
  const int src_lines = portrait ? src_width : src_height;
  const auto& candidates = heights.empty() ? standard_heights() : heights;
  const int top = candidates.empty() ? src_lines : *std::max_element(candidates.begin(), candidates.end());
  std::vector<int> lines;
  for (int h : candidates)
    if (h <= src_lines)
      lines.push_back(h);
  // The source's own size is a rung when it sits below the top and is not one.
  if (src_lines < top && std::find(lines.begin(), lines.end(), src_lines) == lines.end())
    lines.push_back(even(src_lines));
  if (lines.empty())  // smaller than every rung: keep its own size
    lines.push_back(even(src_lines));
  std::sort(lines.rbegin(), lines.rend());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());

  const double aspect = static_cast<double>(src_width) / src_height;
  for (int l : lines) {
    rung r;
    r.height = portrait ? even(l / aspect) : even(l);
    r.width = portrait ? even(l) : even(l * aspect);
    r.name = std::to_string(l) + "p";
    r.bitrate = static_cast<int64_t>(bits_per_pixel(l) * r.width * r.height * out_fps);
    plan.rungs.push_back(r);
  }
  return plan;
}

}  // namespace sg
