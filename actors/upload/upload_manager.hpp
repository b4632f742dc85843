#pragma once
#include "messages/metadata_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the manager. It sweeps expired uploads every
/// `settings.sweep_interval_s`, and right away finishes uploads that a crash
/// left complete but not yet turned into videos.
upload_manager_actor spawn_upload_manager(caf::actor_system& sys, const upload_settings& settings,
                                          upload_store_actor store, transcode_actor transcoder);
}
