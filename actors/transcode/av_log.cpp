#include "actors/transcode/av_log.hpp"

#include <cstdarg>
#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

#include "runtime/log.hpp"

namespace sg::av {

namespace {

constexpr int max_lines_per_job = 200;

struct log_state {
  std::mutex mtx;
  std::string job_id;
  int lines = 0;
};

log_state& state() {
  static log_state s;
  return s;
}

log::level level_of(int av_level) {
  if (av_level <= AV_LOG_ERROR)
    return log::level::error;
  if (av_level <= AV_LOG_WARNING)
    return log::level::warn;
  return av_level <= AV_LOG_INFO ? log::level::info : log::level::debug;
}

// Called from any libav thread (decoder and encoder threads included).
void callback(void* avcl, int av_level, const char* fmt, va_list args) {
  if (av_level > av_log_get_level())
    return;
  char line[1024];
  int prefix = 1;
  av_log_format_line2(avcl, av_level, fmt, args, line, sizeof line, &prefix);
  std::string text{line};
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  if (text.empty())
    return;
  auto& s = state();
  std::string job;
  {
    std::lock_guard<std::mutex> guard{s.mtx};
    if (++s.lines > max_lines_per_job + 1)
      return;
    if (s.lines == max_lines_per_job + 1)
      text = "further libav messages of this job are suppressed";
    job = s.job_id;
  }
  log::write(level_of(av_level), "libav", text, {{"job_id", job}});
}

}  // namespace

void route_log_to_json() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_WARNING);
    av_log_set_callback(callback);
  });
}

void set_log_job(const std::string& job_id) {
  auto& s = state();
  std::lock_guard<std::mutex> guard{s.mtx};
  s.job_id = job_id;
  s.lines = 0;
}

}  // namespace sg::av
