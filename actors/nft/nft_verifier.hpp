#pragma once
#include "messages/nft_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
nft_actor spawn_nft_verifier(caf::actor_system& sys, const nft_settings& settings);
}
