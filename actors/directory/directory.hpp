#pragma once
#include "messages/directory.hpp"

namespace caf { class actor_system; }

namespace sg {
/// The node's directory (docs/architecture.md §Directory).
directory_actor spawn_directory(caf::actor_system& sys);
}
