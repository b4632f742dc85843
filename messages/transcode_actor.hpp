#pragma once
// Transcoding: a supervisor with a queue of jobs (in RocksDB, so they survive
// restarts) and a pool of worker processes (`streamgate worker`) that it
// reaches only by message: a crash or an out-of-memory kill in libav takes
// down one worker, never the node. docs/architecture.md §Transcoding.
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/job.hpp"
#include "messages/offers.hpp"
#include "messages/principal.hpp"

namespace sg {

/// How far the job a worker runs has come.
struct job_progress {
  std::string job_id;  // empty: the worker is idle
  double fraction = 0;
  int64_t position_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_progress& x) {
  return f(caf::meta::type_name("job_progress"), x.job_id, x.fraction, x.position_ms);
}

/// The actor of one worker process: one job at a time.
using worker_host_actor = caf::typed_actor<
  // Runs the job to its end (errc::conflict while another runs).
  caf::replies_to<run_atom, transcode_ticket>::with<transcode_outcome>,
  // Stops the running job within a frame; its run answers "cancelled".
  caf::replies_to<cancel_atom, std::string>::with<caf::ok_atom>,
  caf::replies_to<progress_atom>::with<job_progress>>;

/// Starts worker processes on this node and lets them in.
using worker_launcher_actor = caf::typed_actor<
  // A new worker process, once it has connected back (local callers only).
  caf::replies_to<caf::spawn_atom>::with<worker_host_actor>,
  // From a worker process: the token from its environment, its pid, its host.
  caf::replies_to<caf::join_atom, std::string, int32_t, worker_host_actor>::with<caf::ok_atom>,
  // The loopback port it was published on (local callers only, once).
  caf::reacts_to<caf::publish_atom, uint16_t>>;

/// A node's transcode worker pool: its bounds and what it holds now.
struct pool_status {
  int32_t min_workers = 0;
  int32_t max_workers = 0;
  int32_t workers = 0;    // worker processes running
  int32_t busy = 0;       // of them, running a job
  int32_t launching = 0;  // being started
  int32_t queued = 0;     // jobs waiting for a worker
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pool_status& x) {
  return f(caf::meta::type_name("pool_status"), x.min_workers, x.max_workers, x.workers, x.busy, x.launching,
           x.queued);
}

/// New pool bounds: 0 <= min_workers <= max_workers, max_workers >= 1.
struct pool_bounds {
  int32_t min_workers = 0;
  int32_t max_workers = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pool_bounds& x) {
  return f(caf::meta::type_name("pool_bounds"), x.min_workers, x.max_workers);
}

using transcode_actor = caf::typed_actor<
  // A job queued in the job store (a finished upload, a re-run): run it.
  caf::reacts_to<kick_atom, std::string>,
  // Cancels a job for its owner; answers once the encoder has stopped.
  caf::replies_to<cancel_atom, principal, std::string>::with<job_info>,
  // Cancels a job for an operator (the admin shell: whoever holds this
  // handle got it through the admin door or is a member).
  caf::replies_to<cancel_atom, std::string>::with<job_info>,
  // The worker pool; new bounds take effect at once (idle workers above the
  // maximum stop, the minimum is started).
  caf::replies_to<caf::get_atom>::with<pool_status>,
  caf::replies_to<caf::put_atom, pool_bounds>::with<pool_status>,
  // On a cluster, from the cluster service: the members that hold a lease
  // (their ids). Jobs claimed by a member no longer among them are taken over.
  caf::reacts_to<members_atom, std::vector<offered_service>>>;

}  // namespace sg
