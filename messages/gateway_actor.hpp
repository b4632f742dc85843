#pragma once
// gateway: owns the HTTP server. Asked for its port (useful with port 0).
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace sg {
using gateway_actor = caf::typed_actor<caf::replies_to<caf::get_atom>::with<int32_t>>;
}
