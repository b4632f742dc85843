#pragma once
#include "messages/directory.hpp"
#include "messages/transcode_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the supervisor. It finds the job store in the directory, resumes
/// the jobs stored as queued or running (a crash interrupted them) as soon
/// as it knows one, and runs them in worker processes the launcher starts.
transcode_actor spawn_transcode_supervisor(caf::actor_system& sys,
                                           const transcode_settings& settings,
                                           directory_actor directory, worker_launcher_actor launcher);
}
