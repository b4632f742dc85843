#pragma once
#include "messages/directory.hpp"
#include "messages/upload_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the session owning `info`'s bytes, on a thread of its own (it
/// writes and syncs files). On start it trims bytes past the stored offset:
/// only acknowledged bytes survive a crash. A finished upload's video is
/// kicked to the transcoder. It starts with the manager's `peers` and keeps
/// them current from the directory.
upload_session_actor spawn_upload_session(caf::actor_system& sys, upload_info info,
                                          const upload_settings& settings,
                                          directory_actor directory, peer_set peers);
}
