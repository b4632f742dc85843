// Jobs on a cluster (docs/architecture.md §Jobs on a cluster): a job runs
// only where it was claimed, orphans of gone members are taken over, a
// member whose claim moved on lets the job go, and a cancel reaches the
// member that runs the job.
#include "actors/transcode/supervisor_state.hpp"

#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace sg::supervision {

// The worker `host` is done with `job_id`, which is no longer this
// supervisor's: it takes the next job.
void release_slot(supervisor_ptr self, const worker_host_actor& host, const std::string& job_id) {
  for (auto& w : self->state.workers)
    if (w.host == host && w.job_id == job_id) {
      w.job_id.clear();
      w.idle_since_ms = clock_ms(self);
      dispatch(self);
      return;
    }
}

// Queues a job taken from the store; a "running" one was cut by a crash.
void enqueue(supervisor_ptr self, job_info job) {
  auto& st = self->state;
  if (st.jobs.count(job.id) != 0 || !job.active())
    return;
  if (job.state == job_state::running)
    log::info("transcode", "resuming an interrupted job", {{"job_id", job.id}, {"attempts", job.attempts}});
  job.state = job_state::queued;
  job.not_before_ms = 0;  // a stored backoff belongs to another clock
  st.jobs[job.id] = job;
  st.queue.push_back(job.id);
}

// Takes active jobs from the store. On a cluster each is claimed first (its
// record then names this member); a job a live member holds is left to it.
void adopt(supervisor_ptr self, const std::vector<job_info>& stored) {
  auto& st = self->state;
  if (!st.clustered()) {
    for (const auto& job : stored)
      enqueue(self, job);
    dispatch(self);
    return;
  }
  for (const auto& job : stored) {
    if (st.jobs.count(job.id) != 0 || !job.active())
      continue;
    // Until the members are known, any holder might be alive.
    if (!st.members_known && !job.node.empty() && job.node != st.settings.node_id)
      continue;
    self->request(store_of(self), store_timeout, claim_atom::value, job.id, st.settings.node_id)
      .then(
        [self](const job_info& claimed) {
          if (claimed.attempts > 0 && claimed.state == job_state::running)
            log::info("transcode", "took over a job", {{"job_id", claimed.id}});
          enqueue(self, claimed);
          dispatch(self);
        },
        [](const caf::error&) {});  // another member has it
  }
}

// On a cluster: jobs nobody alive holds (their member died, or none took
// them yet) are claimed while this member has room for them.
void adopt_orphans(supervisor_ptr self) {
  auto& st = self->state;
  st.next_scan_ms = clock_ms(self) + orphan_scan_ms;
  if (!st.members_known || !st.peers.has(service::job_store))
    return;
  self->request(store_of(self), store_timeout, list_atom::value, job_atom::value)
    .then(
      [self](const std::vector<job_info>& jobs) {
        auto& st = self->state;
        auto room = st.settings.max_workers - static_cast<int>(st.jobs.size());
        std::vector<job_info> orphans;
        for (const auto& job : jobs) {
          bool held = !job.node.empty() && std::find(st.live.begin(), st.live.end(), job.node) != st.live.end();
          if (!held && st.jobs.count(job.id) == 0 && static_cast<int>(orphans.size()) < room)
            orphans.push_back(job);
        }
        adopt(self, orphans);
      },
      [](const caf::error&) {});
}

// Another member holds the job now (this one was paused or cut off past its
// lease): its worker stops, and nothing more is written about it from here.
void lose_claim(supervisor_ptr self, const std::string& job_id, const std::string& why) {
  auto& st = self->state;
  if (st.jobs.erase(job_id) == 0)
    return;
  log::warn("transcode", "another member took the job over; letting it go", {{"job_id", job_id}, {"reason", why}});
  st.queue.erase(std::remove(st.queue.begin(), st.queue.end(), job_id), st.queue.end());
  st.stored_progress.erase(job_id);
  if (auto* slot = st.slot_of(job_id))
    self->request(slot->host, poll_timeout, cancel_atom::value, job_id)
      .then([](caf::ok_atom) {}, [](const caf::error&) {});
  update_gauges(st);
}

// A job that has not started ends here, stored as cancelled.
job_info cancel_queued(supervisor_ptr self, const std::string& job_id) {
  auto& st = self->state;
  auto job = st.jobs.at(job_id);
  job.state = job_state::cancelled;
  job.error = "cancelled by request";
  job.updated_ms = now_ms();
  st.queue.erase(std::remove(st.queue.begin(), st.queue.end(), job_id), st.queue.end());
  st.jobs.erase(job_id);
  persist(self, job, state_of(job, video_status::failed));
  update_gauges(st);
  return job;
}

// A job no member has claimed yet is claimed here, then cancelled.
void claim_and_cancel(supervisor_ptr self, caf::typed_response_promise<job_info> rp, const std::string& job_id) {
  auto& st = self->state;
  self->request(store_of(self), store_timeout, claim_atom::value, job_id, st.settings.node_id)
    .then(
      [self, rp, job_id](const job_info& claimed) mutable {
        enqueue(self, claimed);
        if (self->state.jobs.count(job_id) == 0)
          rp.deliver(make_error(errc::conflict, "job " + job_id + " is not queued or running"));
        else
          rp.deliver(cancel_queued(self, job_id));
      },
      [rp](const caf::error& e) mutable { rp.deliver(e); });
}

namespace {

bool may_cancel(const std::optional<principal>& who, const std::string& owner) {
  return !who || who->owns(owner);
}

// On a cluster a job may run on another member: its record names which, and
// that member's supervisor cancels it.
caf::result<job_info> cancel_elsewhere(supervisor_ptr self, const std::optional<principal>& who,
                                       const std::string& job_id) {
  auto rp = self->make_response_promise<job_info>();
  self->request(store_of(self), store_timeout, caf::get_atom::value, job_atom::value, job_id)
    .then(
      [self, rp, who, job_id](const job_info& job) mutable {
        auto& st = self->state;
        if (!may_cancel(who, job.owner)) {
          rp.deliver(make_error(errc::forbidden, "only the video's owner may cancel its job"));
          return;
        }
        if (job.active() && job.node.empty()) {
          claim_and_cancel(self, rp, job_id);
          return;
        }
        if (!job.active() || job.node == st.settings.node_id) {
          rp.deliver(make_error(errc::conflict, "job " + job_id + " is not queued or running"));
          return;
        }
        self->request(st.directory, store_timeout, caf::get_atom::value, service::transcoder, job.node)
          .then(
            [self, rp, who, job_id](const caf::actor& holder) mutable {
              auto there = caf::actor_cast<transcode_actor>(holder);
              auto deliver = [rp](const job_info& j) mutable { rp.deliver(j); };
              auto fail = [rp](const caf::error& e) mutable { rp.deliver(e); };
              if (who)
                self->request(there, cancel_timeout, cancel_atom::value, *who, job_id).then(deliver, fail);
              else
                self->request(there, cancel_timeout, cancel_atom::value, job_id).then(deliver, fail);
            },
            [rp](const caf::error& e) mutable { rp.deliver(e); });
      },
      [rp](const caf::error& e) mutable { rp.deliver(e); });
  return rp;
}

}  // namespace

caf::result<job_info> cancel_job(supervisor_ptr self, const std::optional<principal>& who, const std::string& job_id) {
  auto& st = self->state;
  auto it = st.jobs.find(job_id);
  if (it == st.jobs.end() && st.clustered())
    return cancel_elsewhere(self, who, job_id);
  if (it == st.jobs.end())
    return make_error(errc::conflict, "job " + job_id + " is not queued or running");
  if (!may_cancel(who, it->second.owner))
    return make_error(errc::forbidden, "only the video's owner may cancel its job");
  if (it->second.state == job_state::queued)
    return cancel_queued(self, job_id);
  if (auto* slot = st.slot_of(job_id))
    self->request(slot->host, poll_timeout, cancel_atom::value, job_id)
      .then([](caf::ok_atom) {}, [](const caf::error&) {});
  auto rp = self->make_response_promise<job_info>();
  st.cancelling[job_id].push_back(rp);
  return rp;
}

}  // namespace sg::supervision
