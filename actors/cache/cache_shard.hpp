#pragma once
#include <cstdint>

#include "messages/cache_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// One shard holding at most `capacity_bytes` of values; `index` labels its
/// metrics.
cache_shard_actor spawn_cache_shard(caf::actor_system& sys, size_t index, uint64_t capacity_bytes);
}
