#pragma once
#include "messages/metadata_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the session owning `info`'s bytes, on a thread of its own (it
/// writes and syncs files). On start it trims bytes past the stored offset:
/// only acknowledged bytes survive a crash. A finished upload's video is
/// queued for `transcoder` (which may be null: it finds queued jobs itself).
upload_session_actor spawn_upload_session(caf::actor_system& sys, upload_info info,
                                          const upload_settings& settings,
                                          upload_store_actor store, transcode_actor transcoder);
}
