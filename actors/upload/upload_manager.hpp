#pragma once
#include "messages/directory.hpp"
#include "messages/upload_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the manager; it finds the upload store and the transcoder in the
/// directory. Once it knows a store it finishes uploads that a crash left
/// complete but not yet videos and reclaims expired ones; later sweeps come
/// from the jobs service's uploads.sweep schedule, or from its own timer
/// when this node runs no jobs service (every `settings.sweep_interval_s`).
upload_manager_actor spawn_upload_manager(caf::actor_system& sys, const upload_settings& settings,
                                          directory_actor directory);
}
