#pragma once
#include <chrono>

#include "messages/analytics_actor.hpp"
#include "messages/directory.hpp"

namespace caf { class actor_system; }

namespace sg {

/// Spawns the aggregator: it finds the analytics store and the video store
/// in the directory and writes what it folded every `flush_every`.
analytics_actor spawn_view_aggregator(caf::actor_system& sys, directory_actor directory,
                                      std::chrono::milliseconds flush_every = std::chrono::seconds(5));

}  // namespace sg
