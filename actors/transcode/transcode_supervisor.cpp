#include "actors/transcode/transcode_supervisor.hpp"

#include <algorithm>
#include <deque>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/transcode/transcode_worker.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace {

constexpr auto store_timeout = std::chrono::seconds(10);
constexpr auto tick_interval = std::chrono::seconds(1);

struct worker_slot {
  transcode_worker_actor handle;
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::string job_id;  // empty: idle
  int64_t idle_since_ms = 0;
};

struct supervisor_state {
  transcode_settings settings;
  metadata_actor store;
  std::vector<worker_slot> workers;
  std::map<std::string, job_info> jobs;  // active jobs by id
  std::deque<std::string> queue;         // queued job ids, oldest first
  std::map<std::string, std::vector<caf::typed_response_promise<job_info>>> cancelling;
  static inline const char* name = "transcode_supervisor";

  ~supervisor_state() {
    for (auto& w : workers) {
      w.cancel->store(true);  // a running encoder stops within a frame
      caf::anon_send_exit(w.handle, caf::exit_reason::user_shutdown);
    }
  }
};

using supervisor_ptr = transcode_actor::stateful_pointer<supervisor_state>;

metrics::gauge& gauge(const char* name, const char* help) {
  return metrics::global().get_gauge(name, help);
}
metrics::counter& counter(const char* name, const char* help) {
  return metrics::global().get_counter(name, help);
}

void update_gauges(supervisor_state& st) {
  static auto& queued = gauge("streamgate_transcode_jobs_queued", "Jobs waiting for a worker");
  static auto& running = gauge("streamgate_transcode_jobs_running", "Jobs being encoded");
  static auto& pool = gauge("streamgate_transcode_pool_size", "Transcode workers alive");
  queued.set(static_cast<int64_t>(st.queue.size()));
  running.set(static_cast<int64_t>(std::count_if(st.workers.begin(), st.workers.end(),
                                                 [](const worker_slot& w) { return !w.job_id.empty(); })));
  pool.set(static_cast<int64_t>(st.workers.size()));
}

video_state state_of(const job_info& j, const std::string& status) {
  video_state s;
  s.video_id = j.video_id;
  s.status = status;
  s.progress = j.progress;
  s.error = j.error;
  s.job_id = j.id;
  return s;
}

// Stores the job and its video's processing state together.
void persist(supervisor_ptr self, const job_info& j, video_state s) {
  self->request(self->state.store, store_timeout, state_atom::value, std::move(s), j)
    .then([](const video&) {},
          [self, id = j.id](const caf::error& e) {
            log::warn("transcode", "cannot store job state", {{"job_id", id}, {"error", to_string(e)}});
          });
}

void dispatch(supervisor_ptr self);

void spawn_worker(supervisor_ptr self) {
  auto& st = self->state;
  worker_slot slot;
  slot.handle = spawn_transcode_worker(self->system(), self, st.settings, slot.cancel);
  slot.idle_since_ms = now_ms();
  self->monitor(slot.handle);
  st.workers.push_back(std::move(slot));
}

void dispatch(supervisor_ptr self) {
  auto& st = self->state;
  auto now = now_ms();
  for (auto it = st.queue.begin(); it != st.queue.end();) {
    auto& job = st.jobs[*it];
    if (job.not_before_ms > now) {
      ++it;
      continue;
    }
    auto idle = std::find_if(st.workers.begin(), st.workers.end(),
                             [](const worker_slot& w) { return w.job_id.empty(); });
    if (idle == st.workers.end()) {
      if (static_cast<int>(st.workers.size()) >= st.settings.max_workers)
        break;
      spawn_worker(self);  // the pool grows with the queue
      idle = std::prev(st.workers.end());
    }
    job.state = "running";
    job.attempts += 1;
    job.progress = 0;
    job.position_ms = 0;
    job.updated_ms = now;
    idle->job_id = job.id;
    idle->cancel->store(false);
    persist(self, job, state_of(job, "transcoding"));
    self->send(idle->handle, run_atom::value, job);
    it = st.queue.erase(it);
  }
  update_gauges(st);
}

void settle_cancel(supervisor_ptr self, const job_info& job) {
  auto& st = self->state;
  for (auto& rp : st.cancelling[job.id])
    rp.deliver(job);
  st.cancelling.erase(job.id);
}

void finish(supervisor_ptr self, transcode_outcome out) {
  auto& st = self->state;
  for (auto& w : st.workers) {
    if (w.job_id == out.job_id) {
      w.job_id.clear();
      w.idle_since_ms = now_ms();
    }
  }
  auto found = st.jobs.find(out.job_id);
  if (found == st.jobs.end())
    return;
  auto job = found->second;
  job.updated_ms = now_ms();
  job.error = out.error;
  if (out.status == "succeeded") {
    static auto& ok = counter("streamgate_transcode_jobs_succeeded_total", "Jobs that succeeded");
    static auto& spent = counter("streamgate_transcode_milliseconds_total", "Wall time spent encoding");
    static auto& media = counter("streamgate_transcode_source_milliseconds_total",
                                 "Media time encoded (spent/source = seconds per source second)");
    ok.inc();
    spent.inc(static_cast<uint64_t>(out.seconds_spent * 1000));
    media.inc(static_cast<uint64_t>(out.duration_ms));
    job.state = "succeeded";
    job.progress = 1;
    auto s = state_of(job, "ready");
    s.has_media = true;
    s.source = out.source;
    s.renditions = out.renditions;
    s.duration_ms = out.duration_ms;
    persist(self, job, std::move(s));
  } else if (out.status == "cancelled") {
    job.state = "cancelled";
    job.error = "cancelled by request";
    persist(self, job, state_of(job, "failed"));
    settle_cancel(self, job);
  } else if (out.permanent || static_cast<int>(job.attempts) >= st.settings.max_attempts) {
    static auto& failed = counter("streamgate_transcode_jobs_failed_total", "Jobs that failed");
    failed.inc();
    job.state = "failed";
    persist(self, job, state_of(job, "failed"));
  } else {
    // Transient: retry after 1, 2, 4, ... times the base delay.
    auto delay = static_cast<int64_t>(st.settings.backoff_ms) << (job.attempts - 1);
    job.state = "queued";
    job.not_before_ms = now_ms() + delay;
    log::warn("transcode", "job will retry",
              {{"job_id", job.id}, {"attempt", job.attempts}, {"delay_ms", delay}, {"error", out.error}});
    persist(self, job, state_of(job, "queued"));
    st.jobs[job.id] = job;
    st.queue.push_back(job.id);
    dispatch(self);
    return;
  }
  st.jobs.erase(job.id);
  dispatch(self);
}

// Adopts the active jobs RocksDB holds; a "running" one was cut by a crash.
void adopt(supervisor_ptr self, const std::vector<job_info>& stored) {
  auto& st = self->state;
  for (auto job : stored) {
    if (st.jobs.count(job.id) != 0)
      continue;
    if (job.state == "running")
      log::info("transcode", "resuming an interrupted job", {{"job_id", job.id}});
    job.state = "queued";
    st.jobs[job.id] = job;
    st.queue.push_back(job.id);
  }
  dispatch(self);
}

transcode_actor::behavior_type supervisor(supervisor_ptr self, transcode_settings settings,
                                          metadata_actor store) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.store = std::move(store);
  for (int i = 0; i < st.settings.min_workers; ++i)
    spawn_worker(self);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& workers = self->state.workers;
    auto it = std::find_if(workers.begin(), workers.end(),
                           [&](const worker_slot& w) { return w.handle.address() == dm.source; });
    if (it == workers.end())
      return;
    auto job_id = it->job_id;
    workers.erase(it);
    if (!job_id.empty()) {
      transcode_outcome out;
      out.job_id = job_id;
      out.status = "failed";
      out.error = "the worker died: " + to_string(dm.reason);
      finish(self, std::move(out));
    }
    update_gauges(self->state);
  });
  self->send(self, kick_atom::value);
  self->delayed_send(self, tick_interval, caf::tick_atom::value);
  return {
    [self](enqueue_atom, const std::string& video_id) -> caf::result<job_info> {
      auto& st = self->state;
      for (const auto& [id, j] : st.jobs)
        if (j.video_id == video_id)
          return make_error(errc::conflict, "job " + id + " is already " + j.state);
      job_info job;
      job.id = random_hex(8);
      job.video_id = video_id;
      job.created_ms = job.updated_ms = now_ms();
      auto rp = self->make_response_promise<job_info>();
      self->request(st.store, store_timeout, state_atom::value, state_of(job, "queued"), job)
        .then(
          [self, job, rp](const video&) mutable {
            self->state.jobs[job.id] = job;
            self->state.queue.push_back(job.id);
            dispatch(self);
            rp.deliver(job);
          },
          [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [self](cancel_atom, const std::string& job_id) -> caf::result<job_info> {
      auto& st = self->state;
      auto it = st.jobs.find(job_id);
      if (it == st.jobs.end())
        return make_error(errc::conflict, "job " + job_id + " is not queued or running");
      if (it->second.state == "queued") {
        auto job = it->second;
        job.state = "cancelled";
        job.error = "cancelled by request";
        job.updated_ms = now_ms();
        st.queue.erase(std::remove(st.queue.begin(), st.queue.end(), job_id), st.queue.end());
        st.jobs.erase(it);
        persist(self, job, state_of(job, "failed"));
        update_gauges(st);
        return job;
      }
      for (auto& w : st.workers)
        if (w.job_id == job_id)
          w.cancel->store(true);
      auto rp = self->make_response_promise<job_info>();
      st.cancelling[job_id].push_back(rp);
      return rp;
    },
    [self](kick_atom) {
      self->request(self->state.store, store_timeout, list_atom::value, job_atom::value)
        .then([self](const std::vector<job_info>& jobs) { adopt(self, jobs); },
              [](const caf::error& e) {
                log::warn("transcode", "cannot list jobs", {{"error", to_string(e)}});
              });
    },
    [self](progress_atom, const std::string& job_id, double fraction, int64_t position_ms) {
      auto it = self->state.jobs.find(job_id);
      if (it == self->state.jobs.end())
        return;
      it->second.progress = fraction;
      it->second.position_ms = position_ms;
      it->second.updated_ms = now_ms();
      persist(self, it->second, state_of(it->second, "transcoding"));
    },
    [self](done_atom, transcode_outcome& out) { finish(self, std::move(out)); },
    [self](caf::tick_atom) {
      auto& st = self->state;
      // Idle workers above the minimum go; the pool shrinks when idle.
      auto now = now_ms();
      for (auto it = st.workers.begin(); it != st.workers.end();) {
        bool surplus = static_cast<int>(st.workers.size()) > st.settings.min_workers;
        if (surplus && it->job_id.empty() && now - it->idle_since_ms > st.settings.worker_idle_s * 1000LL) {
          self->demonitor(it->handle.address());
          self->send_exit(it->handle, caf::exit_reason::user_shutdown);
          it = st.workers.erase(it);
        } else {
          ++it;
        }
      }
      dispatch(self);  // jobs whose backoff ended
      self->delayed_send(self, tick_interval, caf::tick_atom::value);
    },
  };
}

}  // namespace

transcode_actor spawn_transcode_supervisor(caf::actor_system& sys,
                                           const transcode_settings& settings,
                                           metadata_actor store) {
  return sys.spawn(supervisor, settings, std::move(store));
}

}  // namespace sg
