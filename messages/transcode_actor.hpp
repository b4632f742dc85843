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

using transcode_actor = caf::typed_actor<
  // A job queued in the job store (a finished upload, a re-run): run it.
  caf::reacts_to<kick_atom, std::string>,
  // Cancels a job for its owner; answers once the encoder has stopped.
  caf::replies_to<cancel_atom, principal, std::string>::with<job_info>,
  // On a cluster, from the cluster service: the members that hold a lease
  // (their ids). Jobs claimed by a member no longer among them are taken over.
  caf::reacts_to<members_atom, std::vector<offered_service>>>;

}  // namespace sg
