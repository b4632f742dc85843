#pragma once
#include <vector>

#include "messages/cache_actor.hpp"
#include "messages/nft_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Results are cached in `cache` (positive and negative TTLs from settings);
/// with no shards, every check asks the chain.
nft_actor spawn_nft_verifier(caf::actor_system& sys, const nft_settings& settings,
                             std::vector<cache_shard_actor> cache);
}
