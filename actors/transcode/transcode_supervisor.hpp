#pragma once
#include "messages/metadata_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the supervisor. It resumes the jobs RocksDB holds as queued or
/// running (a crash interrupted them) right away, and runs them in worker
/// processes the launcher starts.
transcode_actor spawn_transcode_supervisor(caf::actor_system& sys,
                                           const transcode_settings& settings,
                                           job_store_actor store, worker_launcher_actor launcher);
}
