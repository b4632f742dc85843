#pragma once
// The actor a clustered node publishes on its cluster port: it answers a
// peer's greeting with this node's record, passes the greeting on to the
// cluster service, and refuses peers that expect another cluster.
#include <caf/actor.hpp>

#include "messages/cluster_actor.hpp"

namespace caf { class actor_system; }

namespace sg::cluster {
/// `service` receives (hello_atom, member_record caller, caf::actor its greeter).
greeter_actor spawn_greeter(caf::actor_system& sys, member_record self, caf::actor service);
}
