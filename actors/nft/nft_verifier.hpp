#pragma once
#include "messages/directory.hpp"
#include "messages/nft_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Results are cached in the cache the directory names (positive and
/// negative TTLs from settings); with none, every check asks the chain.
nft_actor spawn_nft_verifier(caf::actor_system& sys, const nft_settings& settings,
                             directory_actor directory);
}
