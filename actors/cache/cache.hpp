#pragma once
#include <cstdint>

#include "messages/cache_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// The cache façade and its `shards` shards (linked: they end with it),
/// holding `capacity_bytes` together.
cache_actor spawn_cache(caf::actor_system& sys, size_t shards, uint64_t capacity_bytes);
}
