#pragma once
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>

#include "app/roles.hpp"

namespace sg {
/// The gateway role: the HTTP server, serving media when the node also runs
/// the stream role, finding every service in the directory.
caf::expected<std::vector<caf::actor>> start_gateway(role_env& env);
}
