// Runs our transcode pipeline once and prints its wall time in seconds.
// Usage: sg_transcode_bench SOURCE OUT_DIR PRESET HEIGHTS(comma-separated)
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "actors/transcode/av_log.hpp"
#include "actors/transcode/av_util.hpp"
#include "actors/transcode/pipeline.hpp"
#include "actors/transcode/ladder.hpp"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SOURCE OUT_DIR PRESET HEIGHTS\n", argv[0]);
    return 2;
  }
  sg::transcode_spec spec;
  spec.source = argv[1];
  spec.out_dir = argv[2];
  spec.preset = argv[3];
  std::stringstream heights{argv[4]};
  for (std::string h; std::getline(heights, h, ',');)
    spec.heights.push_back(std::stoi(h));
  sg::av::route_log_to_json();  // as in a worker: libav's warnings as JSON, its chatter dropped
  auto t0 = std::chrono::steady_clock::now();
  try {
    sg::transcode(spec, [](double) { return true; });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "transcode failed: %s\n", e.what());
    return 1;
  }
  std::printf("%.3f\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
