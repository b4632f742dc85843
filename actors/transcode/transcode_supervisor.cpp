#include "actors/transcode/transcode_supervisor.hpp"

#include <caf/actor_system.hpp>

#include "actors/transcode/supervisor_state.hpp"

#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/actor_stats.hpp"

namespace sg::supervision {

constexpr auto launch_timeout = std::chrono::seconds(20);
constexpr auto job_timeout = std::chrono::seconds(24 * 3600);  // the CPU limit ends runaway jobs sooner
constexpr auto share_timeout = std::chrono::minutes(15);  // renditions of a long video to S3
constexpr auto locate_timeout = std::chrono::minutes(15);  // a large source copied from S3 first
constexpr auto tick_interval = std::chrono::seconds(1);
constexpr double persist_step = 0.1;  // progress is stored every 10 %
constexpr uint32_t poisonous_crashes = 2;

int64_t clock_ms(supervisor_ptr self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now().time_since_epoch())
    .count();
}

job_store_actor store_of(supervisor_ptr self) {
  return self->state.peers.get<service::job_store>();
}

metrics::counter& counter(const char* name, const char* help) {
  return metrics::global().get_counter(name, help);
}

video_state state_of(const job_info& j, video_status status) {
  video_state s;
  s.video_id = j.video_id;
  s.status = status;
  s.progress = j.progress;
  s.error = j.error;
  s.job_id = j.id;
  return s;
}

// Stores the job and its video's processing state together. On a cluster a
// refusal means another member took the job over: this one lets it go.
// A job's end, told to the jobs service (the owner's webhooks) once stored.
void announce(supervisor_ptr self, const job_info& j, const video& v) {
  auto jobs = self->state.peers.get<service::jobs>();
  if (!jobs || (j.state != job_state::succeeded && j.state != job_state::failed))
    return;
  nlohmann::json data = {{"title", v.title}, {"status", to_string(v.status)}, {"job_id", j.id}};
  if (j.state == job_state::failed)
    data["error"] = j.error;
  else
    data["duration_ms"] = v.duration_ms;
  self->send(jobs, event_atom::value,
             webhook_event{j.state == job_state::succeeded ? "video.ready" : "video.failed", v.owner, v.id,
                           dump_json(data), now_ms()});
}

void persist(supervisor_ptr self, const job_info& j, video_state s) {
  self->state.stored_progress[j.id] = j.progress;
  self->request(store_of(self), store_timeout, state_atom::value, std::move(s), j)
    .then([self, j](const video& v) { announce(self, j, v); },
          [self, id = j.id](const caf::error& e) {
            if (self->state.clustered() && e == make_error(errc::conflict))
              lose_claim(self, id, to_string(e));
            else
              log::warn("transcode", "cannot store job state", {{"job_id", id}, {"error", to_string(e)}});
          });
}

transcode_ticket ticket_for(const supervisor_state& st, const job_info& job, const media_paths& where) {
  transcode_ticket t;
  t.job_id = job.id;
  t.video_id = job.video_id;
  t.source = where.source;
  t.publish_dir = where.publish_dir;
  t.out_dir = where.work_dir;
  t.preset = st.settings.preset;
  t.segment_seconds = st.settings.segment_seconds;
  t.heights.assign(st.settings.heights.begin(), st.settings.heights.end());
  const auto& s = st.settings;
  t.limits.max_width = s.max_source_width;
  t.limits.max_height = s.max_source_height;
  t.limits.max_pixels = s.max_source_pixels;
  t.limits.max_fps = s.max_source_fps;
  t.limits.max_duration_ms = s.max_source_duration_s * 1000;
  t.limits.max_streams = s.max_source_streams;
  t.cpu_seconds = s.worker_cpu_seconds;
  return t;
}

void dispatch(supervisor_ptr self);
void finish(supervisor_ptr self, transcode_outcome out, bool crashed);

// A succeeded job's renditions become readable on every node (the media
// store shares them through S3 on a cluster) before the video is ready; a
// store that fails makes it a transient failure, retried as any other.
template <class StillCurrent>
void share_then_finish(supervisor_ptr self, transcode_outcome out, const std::string& video_id,
                       StillCurrent still_current) {
  auto media = self->state.peers.get<service::media>();
  if (out.status != job_state::succeeded || !media) {
    finish(self, std::move(out), false);
    return;
  }
  auto failed = [self, still_current](transcode_outcome out, const std::string& why) {
    if (!still_current())
      return;
    out.status = job_state::failed;
    out.permanent = false;
    out.error = why;
    finish(self, std::move(out), false);
  };
  auto publish = [self, out, video_id, still_current, media, failed]() {
    self->request(media, share_timeout, caf::publish_atom::value, video_atom::value, video_id)
      .then(
        [self, out, still_current](caf::ok_atom) mutable {
          if (still_current())
            finish(self, std::move(out), false);
        },
        [out, failed](const caf::error& e) { failed(out, "cannot share the renditions: " + to_string(e)); });
  };
  auto& st = self->state;
  if (!st.clustered()) {
    publish();
    return;
  }
  // A member paused past its lease may have lost the job meanwhile: it
  // publishes nothing unless its claim still holds.
  self->request(store_of(self), store_timeout, claim_atom::value, out.job_id, st.settings.node_id)
    .then([publish](const job_info&) { publish(); },
          [self, out, failed](const caf::error& e) {
            if (e == errc::conflict) {
              auto* slot = self->state.slot_of(out.job_id);
              auto host = slot ? slot->host : worker_host_actor{};
              lose_claim(self, out.job_id, to_string(e));
              release_slot(self, host, out.job_id);  // its worker has answered already
            } else
              failed(out, "cannot confirm the job's claim: " + to_string(e));
          });
}

// A worker process for the pool; it joins once it has connected back.
void launch_worker(supervisor_ptr self) {
  auto& st = self->state;
  st.launching += 1;
  self->request(st.launcher, launch_timeout, caf::spawn_atom::value)
    .then(
      [self](worker_host_actor& host) {
        auto& st = self->state;
        st.launching -= 1;
        st.launch_failures = 0;
        self->monitor(host);
        st.workers.push_back(worker_slot{std::move(host), {}, clock_ms(self)});
        dispatch(self);
      },
      [self](const caf::error& e) {
        auto& st = self->state;
        st.launching -= 1;
        st.launch_failures += 1;
        st.next_launch_ms = clock_ms(self) + (int64_t{1000} << std::min(st.launch_failures, 5u));
        log::error("transcode", "cannot start a worker process", {{"error", to_string(e)}});
      });
}

// Ends an attempt that could not run (no media store, a dead worker).
void fail_attempt(supervisor_ptr self, const std::string& job_id, const std::string& why) {
  transcode_outcome out;
  out.job_id = job_id;
  out.status = job_state::failed;
  out.error = why;
  finish(self, std::move(out), false);
}

void start_job(supervisor_ptr self, worker_slot& slot, job_info& job) {
  slot.started_ms = now_ms();
  job.state = job_state::running;
  job.attempts += 1;
  job.progress = 0;
  job.position_ms = 0;
  job.updated_ms = now_ms();
  slot.job_id = job.id;
  persist(self, job, state_of(job, video_status::transcoding));
  // A late answer (the worker was already declared dead) must not end a
  // later attempt: the attempt number tells them apart.
  auto still_current = [self, id = job.id, attempt = job.attempts] {
    auto it = self->state.jobs.find(id);
    return it != self->state.jobs.end() && it->second.state == job_state::running &&
           it->second.attempts == attempt;
  };
  // A job this supervisor let go meanwhile (its claim moved on) leaves its
  // worker idle once the worker is done with it.
  auto host = slot.host;
  auto run = [self, still_current, job, host](const media_paths& where) {
    auto* slot = self->state.slot_of(job.id);
    if (!still_current() || slot == nullptr)
      return release_slot(self, host, job.id);
    self->request(slot->host, job_timeout, run_atom::value, ticket_for(self->state, job, where))
      .then(
        [self, still_current, host, video_id = job.video_id](transcode_outcome& out) {
          if (still_current())
            share_then_finish(self, std::move(out), video_id, still_current);
          else
            release_slot(self, host, out.job_id);
        },
        [self, still_current, host, id = job.id](const caf::error& e) {
          if (still_current())
            fail_attempt(self, id, "the worker did not finish the job: " + to_string(e));
          else
            release_slot(self, host, id);
        });
  };
  // Where the source is and the renditions go is the media store's to say;
  // on a cluster it may first copy a large source from S3.
  self->request(self->state.peers.get<service::media>(), locate_timeout, locate_atom::value, job.video_id)
    .then(run, [self, still_current, host, id = job.id](const caf::error& e) {
      if (still_current())
        fail_attempt(self, id, "cannot locate the video's media: " + to_string(e));
      else
        release_slot(self, host, id);
    });
}

void dispatch(supervisor_ptr self) {
  auto& st = self->state;
  auto now = clock_ms(self);
  size_t waiting = 0;
  for (auto it = st.queue.begin(); it != st.queue.end();) {
    auto& job = st.jobs[*it];
    if (job.not_before_ms > now) {
      ++it;
      continue;
    }
    auto idle = std::find_if(st.workers.begin(), st.workers.end(),
                             [](const worker_slot& w) { return w.job_id.empty(); });
    if (idle == st.workers.end()) {
      ++waiting;
      ++it;
      continue;
    }
    start_job(self, *idle, job);
    it = st.queue.erase(it);
  }
  // The pool grows with the queue, up to its maximum.
  int room = st.settings.max_workers - static_cast<int>(st.workers.size()) - st.launching;
  int wanted = std::max(static_cast<int>(waiting) - st.launching,
                        st.settings.min_workers - static_cast<int>(st.workers.size()) - st.launching);
  if (now >= st.next_launch_ms)
    for (int i = 0; i < std::min(room, wanted); ++i)
      launch_worker(self);
  update_gauges(st);
}

void settle_cancel(supervisor_ptr self, const job_info& job) {
  auto& st = self->state;
  for (auto& rp : st.cancelling[job.id])
    rp.deliver(job);
  st.cancelling.erase(job.id);
}

// The attempt that just ended, kept with the job (the latest few) for the
// operator: a dead letter shows what each try met.
void record_attempt(const supervisor_state& st, job_info& job, int64_t started_ms, std::string outcome) {
  constexpr size_t kept = 20;
  job.history.push_back({started_ms, now_ms(), st.settings.node_id.empty() ? "local" : st.settings.node_id,
                         std::move(outcome)});
  if (job.history.size() > kept)
    job.history.erase(job.history.begin());
}

void finish(supervisor_ptr self, transcode_outcome out, bool crashed) {
  auto& st = self->state;
  int64_t started_ms = 0;
  if (auto* slot = st.slot_of(out.job_id)) {
    started_ms = slot->started_ms;
    slot->job_id.clear();
    slot->idle_since_ms = clock_ms(self);
  }
  auto found = st.jobs.find(out.job_id);
  if (found == st.jobs.end())
    return;
  auto job = found->second;
  record_attempt(st, job, started_ms, out.status == job_state::succeeded ? "succeeded"
                          : out.status == job_state::cancelled ? "cancelled" : out.error);
  job.updated_ms = now_ms();
  job.error = out.error;
  if (crashed && ++job.crashes >= poisonous_crashes) {
    out.permanent = true;
    job.error = "the file crashed its worker process " + std::to_string(job.crashes) +
                " times and is refused as poisonous";
  }
  if (out.status != job_state::succeeded && st.cancelling.count(job.id) != 0)
    out.status = job_state::cancelled;  // a worker that died while cancelling still ends the job
  if (out.status == job_state::succeeded) {
    static auto& ok = counter("streamgate_transcode_jobs_succeeded_total", "Jobs that succeeded");
    static auto& spent = counter("streamgate_transcode_milliseconds_total", "Wall time spent encoding");
    static auto& media = counter("streamgate_transcode_source_milliseconds_total",
                                 "Media time encoded (spent/source = seconds per source second)");
    ok.inc();
    spent.inc(static_cast<uint64_t>(out.seconds_spent * 1000));
    media.inc(static_cast<uint64_t>(out.duration_ms));
    job.state = job_state::succeeded;
    job.progress = 1;
    auto s = state_of(job, video_status::ready);
    s.has_media = true;
    s.source = out.source;
    s.renditions = out.renditions;
    s.duration_ms = out.duration_ms;
    persist(self, job, std::move(s));
  } else if (out.status == job_state::cancelled) {
    job.state = job_state::cancelled;
    job.error = "cancelled by request";
    persist(self, job, state_of(job, video_status::failed));
    settle_cancel(self, job);
  } else if (out.permanent || static_cast<int>(job.attempts) >= st.settings.max_attempts) {
    static auto& failed = counter("streamgate_transcode_jobs_failed_total", "Jobs that failed");
    failed.inc();
    job.state = job_state::failed;
    log::warn("transcode", "job failed", {{"job_id", job.id}, {"error", job.error}});
    persist(self, job, state_of(job, video_status::failed));
  } else {
    // Transient: retry after 1, 2, 4, ... times the base delay.
    auto delay = static_cast<int64_t>(st.settings.backoff_ms) << (job.attempts - 1);
    job.state = job_state::queued;
    job.not_before_ms = clock_ms(self) + delay;
    log::warn("transcode", "job will retry",
              {{"job_id", job.id}, {"attempt", job.attempts}, {"delay_ms", delay}, {"error", job.error}});
    persist(self, job, state_of(job, video_status::queued));
    st.jobs[job.id] = job;
    st.queue.push_back(job.id);
    dispatch(self);
    return;
  }
  st.jobs.erase(job.id);
  st.stored_progress.erase(job.id);
  dispatch(self);
}

// Progress lives here and reaches RocksDB every 10 %, not on every poll.
void poll_progress(supervisor_ptr self) {
  for (const auto& w : self->state.workers) {
    if (w.job_id.empty())
      continue;
    self->request(w.host, poll_timeout, progress_atom::value)
      .then(
        [self](const job_progress& p) {
          auto& st = self->state;
          auto it = st.jobs.find(p.job_id);
          if (p.job_id.empty() || it == st.jobs.end() || it->second.state != job_state::running)
            return;
          auto& job = it->second;
          job.progress = p.fraction;
          job.position_ms = p.position_ms;
          job.updated_ms = now_ms();
          if (job.progress - st.stored_progress[job.id] >= persist_step)
            persist(self, job, state_of(job, video_status::transcoding));
        },
        [](const caf::error&) {});  // a dead worker is the down handler's business
  }
}

void on_worker_down(supervisor_ptr self, const caf::down_msg& dm) {
  auto& workers = self->state.workers;
  auto it = std::find_if(workers.begin(), workers.end(),
                         [&](const worker_slot& w) { return w.host.address() == dm.source; });
  if (it == workers.end())
    return;
  auto job_id = it->job_id;
  workers.erase(it);
  if (!job_id.empty()) {
    log::warn("transcode", "a worker process died during a job", {{"job_id", job_id}});
    transcode_outcome out;
    out.job_id = job_id;
    out.status = job_state::failed;
    out.error = "the worker process died: " + to_string(dm.reason);
    finish(self, std::move(out), true);
  }
  dispatch(self);  // keeps the minimum, and gives queued jobs a new worker
}

supervisor_actor::behavior_type supervisor(supervisor_ptr self, transcode_settings settings,
                                           directory_actor directory, worker_launcher_actor launcher) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.directory = std::move(directory);
  st.launcher = std::move(launcher);
  update_gauges(st);
  self->set_down_handler([self](const caf::down_msg& dm) { on_worker_down(self, dm); });
  self->send(st.directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, tick_interval, caf::tick_atom::value);
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      auto& st = self->state;
      if (!sent_by(self, st.directory))
        return;
      st.peers.update(s, std::move(h));
      if (s == service::job_store && st.peers.has(s) && !st.adopted) {
        st.adopted = true;
        // What a crash or a restart left queued or running is resumed at once.
        self->request(store_of(self), store_timeout, list_atom::value, job_atom::value)
          .then([self](const std::vector<job_info>& jobs) { adopt(self, jobs); },
                [](const caf::error& e) {
                  log::warn("transcode", "cannot list jobs", {{"error", to_string(e)}});
                });
      }
    },
    [self](cancel_atom, const principal& who, const std::string& job_id) { return cancel_job(self, who, job_id); },
    [self](cancel_atom, const std::string& job_id) { return cancel_job(self, std::nullopt, job_id); },
    [self](caf::get_atom) { return pool_of(self->state); },
    [self](caf::put_atom, const pool_bounds& b) { return resize_pool(self, b); },
    [self](kick_atom, const std::string& job_id) {
      self->request(store_of(self), store_timeout, caf::get_atom::value, job_atom::value, job_id)
        .then([self](const job_info& job) { adopt(self, {job}); },
              [job_id](const caf::error& e) {
                log::warn("transcode", "cannot read a kicked job",
                          {{"job_id", job_id}, {"error", to_string(e)}});
              });
    },
    [self](members_atom, const std::vector<offered_service>& members) {
      auto& st = self->state;
      st.live = {st.settings.node_id};
      for (const auto& m : members)
        st.live.push_back(m.name);
      st.members_known = true;
      adopt_orphans(self);
    },
    [self](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      if (self->state.clustered() && clock_ms(self) >= self->state.next_scan_ms)
        adopt_orphans(self);
      poll_progress(self);
      shrink(self);
      dispatch(self);  // jobs whose backoff ended, and the pool's minimum
      self->delayed_send(self, tick_interval, caf::tick_atom::value);
    },
  };
}

}  // namespace sg::supervision

namespace sg {

transcode_actor spawn_transcode_supervisor(caf::actor_system& sys,
                                           const transcode_settings& settings,
                                           directory_actor directory, worker_launcher_actor launcher) {
  return actor_stats::spawn(sys, "transcoder", supervision::supervisor, settings, std::move(directory), std::move(launcher));
}

}  // namespace sg
