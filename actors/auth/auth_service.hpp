#pragma once
#include "messages/auth_actor.hpp"
#include "messages/directory.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Spawns the auth service; throws std::invalid_argument on bad JWT keys.
/// `nft` answers EIP-1271 checks for contract wallets (null: EOAs only).
auth_actor spawn_auth_service(caf::actor_system& sys, const auth_settings& settings,
                              directory_actor directory);
}
