#include "actors/transcode/worker_host.hpp"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/transcode/av_log.hpp"
#include "actors/transcode/av_util.hpp"
#include "actors/transcode/pipeline.hpp"
#include "messages/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

// Shared between the host and the thread running the job.
struct running_job {
  std::string id;
  std::atomic<bool> cancel{false};
  std::atomic<double> fraction{0};
  std::atomic<int64_t> position_ms{0};
};

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

// The job may use `seconds` more CPU from now: past that the kernel sends
// SIGXCPU and the process dies, which its supervisor counts as a crash.
void limit_cpu(int64_t seconds) {
  rusage used{};
  getrusage(RUSAGE_SELF, &used);
  rlimit lim{};
  getrlimit(RLIMIT_CPU, &lim);
  lim.rlim_cur = seconds <= 0 ? lim.rlim_max
                              : static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec + seconds);
  setrlimit(RLIMIT_CPU, &lim);
}

transcode_outcome run(const transcode_ticket& t, running_job& job) {
  transcode_spec spec;
  spec.source = t.source;
  spec.out_dir = t.out_dir;
  spec.segment_seconds = t.segment_seconds;
  spec.preset = t.preset;
  spec.heights.assign(t.heights.begin(), t.heights.end());
  spec.limits = t.limits;
  transcode_outcome out;
  out.job_id = t.job_id;
  auto started = steady::now();
  try {
    auto duration_ms = probe_source(spec.source, spec.limits).duration_ms;
    fs::remove_all(spec.out_dir);  // a crashed attempt's leftovers
    auto result = transcode(spec, [&](double fraction) {
      job.fraction = fraction;
      job.position_ms = static_cast<int64_t>(fraction * duration_ms);
      return !job.cancel.load();
    });
    publish(t.publish_dir, spec.out_dir);
    out.status = job_state::succeeded;
    out.source = result.source;
    out.renditions = result.renditions;
    out.duration_ms = static_cast<int64_t>(result.duration_s * 1000);
  } catch (const av::cancelled&) {
    out.status = job_state::cancelled;
  } catch (const av::failure& e) {
    out.status = job_state::failed;
    out.permanent = e.permanent;
    out.error = e.what();
  } catch (const std::bad_alloc&) {
    // Under the worker's memory limit this is the file's doing, not luck.
    out.status = job_state::failed;
    out.permanent = true;
    out.error = "the transcode does not fit in the worker's memory limit";
  } catch (const std::exception& e) {
    out.status = job_state::failed;
    out.error = e.what();
  }
  if (out.status != job_state::succeeded) {
    std::error_code ec;
    fs::remove_all(spec.out_dir, ec);  // no partial output stays behind
  }
  out.seconds_spent = std::chrono::duration<double>(steady::now() - started).count();
  return out;
}

using runner_actor = caf::typed_actor<caf::replies_to<run_atom, transcode_ticket>::with<transcode_outcome>>;

// On a thread of its own: libav blocks for the whole job.
runner_actor::behavior_type runner(runner_actor::pointer self, std::shared_ptr<running_job> job) {
  return {
    [self, job](run_atom, const transcode_ticket& t) {
      av::set_log_job(t.job_id);
      log::info("transcode", "job started", {{"job_id", t.job_id}, {"video_id", t.video_id}});
      limit_cpu(t.cpu_seconds);
      auto out = run(t, *job);
      limit_cpu(0);
      av::set_log_job("");
      log::info("transcode", "job ended", {{"job_id", t.job_id}, {"status", to_string(out.status)},
                                           {"error", out.error}, {"seconds", out.seconds_spent}});
      self->quit();
      return out;
    },
  };
}

struct host_state {
  std::shared_ptr<running_job> job;  // null: idle
  static inline const char* name = "worker_host";
};

worker_host_actor::behavior_type host(worker_host_actor::stateful_pointer<host_state> self,
                                      worker_launcher_actor launcher) {
  // The node is gone (or stopped us): so is this process's reason to live.
  self->monitor(launcher);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); });
  return {
    [self](run_atom, transcode_ticket& t) -> caf::result<transcode_outcome> {
      auto& st = self->state;
      if (st.job)
        return make_error(errc::conflict, "this worker is running job " + st.job->id);
      st.job = std::make_shared<running_job>();
      st.job->id = t.job_id;
      auto r = self->system().spawn<caf::detached>(runner, st.job);
      auto rp = self->make_response_promise<transcode_outcome>();
      // The runner answers once, whatever happens: it catches everything.
      self->request(r, caf::infinite, run_atom::value, std::move(t))
        .then(
          [self, rp](transcode_outcome& out) mutable {
            self->state.job.reset();
            rp.deliver(std::move(out));
          },
          [self, rp](caf::error& e) mutable {
            self->state.job.reset();
            rp.deliver(std::move(e));
          });
      return rp;
    },
    [self](cancel_atom, const std::string& job_id) {
      if (self->state.job && self->state.job->id == job_id)
        self->state.job->cancel = true;
      return caf::ok_atom::value;
    },
    [self](progress_atom) {
      const auto& job = self->state.job;
      if (!job)
        return job_progress{};
      return job_progress{job->id, job->fraction.load(), job->position_ms.load()};
    },
  };
}

}  // namespace

worker_host_actor spawn_worker_host(caf::actor_system& sys, worker_launcher_actor launcher) {
  return actor_stats::spawn(sys, "worker_host", host, std::move(launcher));
}

}  // namespace sg
