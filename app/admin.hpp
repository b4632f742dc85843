#pragma once
// The node's side of the admin shell (docs/architecture.md §Admin shell).
#include <caf/actor.hpp>

#include "messages/admin_actor.hpp"
#include "messages/directory.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {

/// Spawns the admin actor over the node's directory and, on a single node,
/// publishes it on 127.0.0.1 at the cluster port (`--cluster-port`). A port
/// in use leaves the node running without a shell (logged). Clustered nodes
/// do not open it yet: the shell would need a client certificate there.
admin_actor open_admin_door(caf::actor_system& sys, const node_config& config, directory_actor directory);

}  // namespace sg
