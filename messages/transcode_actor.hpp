#pragma once
// transcode_supervisor: a queue of jobs and an autoscaling pool of detached
// workers (one job at a time each). Jobs live in RocksDB, so they survive
// restarts; failures retry with exponential backoff unless permanent.
#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/job.hpp"

namespace sg {

using transcode_worker_actor = caf::typed_actor<
  // Runs one job to its end, then reports done_atom to the supervisor.
  caf::reacts_to<run_atom, job_info>>;

using transcode_actor = caf::typed_actor<
  // A new job for the video (errc::conflict while one is active).
  caf::replies_to<enqueue_atom, std::string>::with<job_info>,
  // Cancels a job; answers once the encoder has stopped.
  caf::replies_to<cancel_atom, std::string>::with<job_info>,
  // New queued jobs are in RocksDB: look.
  caf::reacts_to<kick_atom>,
  // From workers: progress (fraction, media ms) and the end of a job.
  caf::reacts_to<progress_atom, std::string, double, int64_t>,
  caf::reacts_to<done_atom, transcode_outcome>,
  // Internal: backoff expiry, pool scaling.
  caf::reacts_to<caf::tick_atom>>;

}  // namespace sg
