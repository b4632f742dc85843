#pragma once
#include <chrono>

#include "messages/directory.hpp"
#include "messages/jobs_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Sweeps the auth records (found in the directory) every `interval`.
jobs_actor spawn_scheduler(caf::actor_system& sys, directory_actor directory,
                           std::chrono::seconds interval);
}
