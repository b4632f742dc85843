#pragma once
// The cluster service: the member table of this node (docs/architecture.md
// §Cluster membership). etcd says who is a member (the authority); a member
// is "up" once its greeter and ours exchanged greetings over mutual TLS with
// the identity its record claims, and greetings repeat every second, so that
// a broken or hung peer shows within about a second (a hint: its lease
// decides).
#include <cstdint>

#include <caf/expected.hpp>

#include "cluster/membership.hpp"
#include "messages/cluster_actor.hpp"

namespace caf { class actor_system; }

namespace sg::cluster {

/// Publishes this node's greeter on `port` (all interfaces, mutual TLS),
/// then registers the node in etcd and starts following the members.
caf::expected<cluster_actor> start_cluster_service(caf::actor_system& sys, membership_settings settings,
                                                   member_record self, uint16_t port);

}  // namespace sg::cluster
