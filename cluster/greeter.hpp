#pragma once
// The actor a clustered node publishes on its cluster port: it answers a
// peer's greeting with this node's record, passes the greeting on to the
// cluster service, refuses peers that expect another cluster, and names the
// services this node runs itself.
#include <vector>

#include <caf/actor.hpp>

#include "messages/cluster_actor.hpp"
#include "messages/directory.hpp"

namespace caf { class actor_system; }

namespace sg::cluster {

struct greeter_config {
  member_record self;
  caf::actor service;  // receives (hello_atom, member_record caller, caf::actor its greeter)
  directory_actor directory;
  std::vector<sg::service> provided;  // what the roles of this node serve
};

greeter_actor spawn_greeter(caf::actor_system& sys, greeter_config config);

}  // namespace sg::cluster
