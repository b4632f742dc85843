#pragma once
#include <string>

#include "messages/media_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// The local-disk media store under `data_dir`, on a thread of its own (file
/// operations block). Creates its directories as it starts.
media_store_actor spawn_media_store(caf::actor_system& sys, const std::string& data_dir);
}
