#include "actors/transcode/transcode_worker.hpp"

#include <chrono>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/transcode/av_util.hpp"
#include "actors/transcode/pipeline.hpp"
#include "runtime/log.hpp"
#include "runtime/storage.hpp"

namespace sg {

namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

// Replaces the video's previous renditions with the new ones; only `source`
// stays. Readers may miss a file for a moment, never see a mix.
void publish(const std::string& dir, const std::string& work) {
  for (const auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name != "source" && name != ".work")
      fs::remove_all(e.path());
  }
  for (const auto& e : fs::directory_iterator(work))
    fs::rename(e.path(), fs::path(dir) / e.path().filename());
  fs::remove(work);
}

transcode_outcome run(transcode_worker_actor::pointer self, const transcode_actor& supervisor,
                      const transcode_settings& settings, const std::atomic<bool>& cancel,
                      const job_info& job) {
  data_paths paths{settings.data_dir};
  transcode_spec spec;
  spec.source = paths.video_source(job.video_id);
  spec.out_dir = paths.video_dir(job.video_id) + "/.work";
  spec.segment_seconds = settings.segment_seconds;
  spec.preset = settings.preset;
  spec.heights = settings.heights;
  transcode_outcome out;
  out.job_id = job.id;
  auto started = steady::now();
  auto last_report = started;
  int64_t duration_ms = 0;
  try {
    duration_ms = probe_source(spec.source).duration_ms;
    fs::remove_all(spec.out_dir);  // a crashed attempt's leftovers
    auto result = transcode(spec, [&](double fraction) {
      if (cancel.load())
        return false;
      auto now = steady::now();
      if (now - last_report >= std::chrono::milliseconds(250) || fraction >= 1.0) {
        last_report = now;
        self->send(supervisor, progress_atom::value, job.id, fraction,
                   static_cast<int64_t>(fraction * duration_ms));
      }
      return true;
    });
    publish(paths.video_dir(job.video_id), spec.out_dir);
    out.status = "succeeded";
    out.source = result.source;
    out.renditions = result.renditions;
    out.duration_ms = static_cast<int64_t>(result.duration_s * 1000);
  } catch (const av::cancelled&) {
    out.status = "cancelled";
  } catch (const av::failure& e) {
    out.status = "failed";
    out.permanent = e.permanent;
    out.error = e.what();
  } catch (const std::exception& e) {
    out.status = "failed";
    out.error = e.what();
  }
  if (out.status != "succeeded") {
    std::error_code ec;
    fs::remove_all(spec.out_dir, ec);  // no partial output stays behind
  }
  out.seconds_spent = std::chrono::duration<double>(steady::now() - started).count();
  return out;
}

transcode_worker_actor::behavior_type worker(transcode_worker_actor::pointer self,
                                             transcode_actor supervisor,
                                             transcode_settings settings,
                                             std::shared_ptr<std::atomic<bool>> cancel) {
  return {
    [=](run_atom, const job_info& job) {
      log::info("transcode", "job started", {{"job_id", job.id}, {"video_id", job.video_id},
                                             {"attempt", job.attempts}});
      auto out = run(self, supervisor, settings, *cancel, job);
      log::info("transcode", "job ended",
                {{"job_id", job.id}, {"status", out.status}, {"error", out.error},
                 {"seconds", out.seconds_spent}});
      self->send(supervisor, done_atom::value, std::move(out));
    },
  };
}

}  // namespace

transcode_worker_actor spawn_transcode_worker(caf::actor_system& sys, transcode_actor supervisor,
                                              const transcode_settings& settings,
                                              std::shared_ptr<std::atomic<bool>> cancel) {
  return sys.spawn<caf::detached>(worker, std::move(supervisor), settings, std::move(cancel));
}

}  // namespace sg
