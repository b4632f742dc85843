#pragma once
#include <chrono>
#include <string>

#include "messages/monitor_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Samples this process and the file system of `data_dir` every `interval`.
monitor_actor spawn_monitor(caf::actor_system& sys, std::string data_dir,
                            std::chrono::seconds interval);
}
