#pragma once
#include <memory>
#include <string>

#include "runtime/media_files.hpp"

#include "messages/media_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// The media store over `files` (created already), on a thread of its own
/// (file and object store operations block).
media_store_actor spawn_media_store(caf::actor_system& sys, std::shared_ptr<media_files> files);
}
