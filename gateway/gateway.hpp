#pragma once
#include <memory>

#include <caf/expected.hpp>

#include "gateway/context.hpp"
#include "messages/gateway_actor.hpp"

namespace sg {
/// Binds the HTTP port (an error if it cannot) and spawns the gateway, which
/// serves until it exits; on exit it stops accepting and lets in-flight
/// requests finish. `ctx.system` must be set.
caf::expected<gateway_actor> spawn_gateway(const gateway_context& ctx);
}
