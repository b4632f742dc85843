#pragma once
#include <string>

#include "messages/metadata_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the store on a thread of its own (RocksDB calls and file removal
/// block). It opens the database under `data_dir` as it starts; when that
/// fails it quits, and a ping answers with the reason.
metadata_actor spawn_metadata_store(caf::actor_system& sys, const std::string& data_dir);
}
