#pragma once
// The cluster service: the member table of this node (docs/architecture.md
// §Cluster membership). etcd says who is a member (the authority); a member
// is "up" once its greeter and ours exchanged greetings over mutual TLS with
// the identity its record claims, and greetings repeat every second, so that
// a broken or hung peer shows within about a second (a hint: its lease
// decides). The services a member up offers fill the gaps of this node's
// directory, and leave it when the member stops being up. The members up
// with a cache (and this node, when it has one) form the cache ring, sent to
// the local cache whenever it changes; the members and their upload
// managers go to the local upload manager, which passes on the requests for
// uploads another member holds.
#include <cstdint>

#include <caf/expected.hpp>

#include "cluster/membership.hpp"
#include "messages/cluster_actor.hpp"
#include "messages/directory.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"

namespace caf { class actor_system; }

namespace sg::cluster {

struct cluster_service_config {
  membership_settings membership;
  member_record self;
  uint16_t port = 0;  // of the cluster transport
  directory_actor directory;  // gets the services that members up offer
  std::vector<service> provided;  // what this node's roles serve, offered to members
  cache_actor local_cache;        // set when this node runs the cache role: it gets the ring
  upload_manager_actor local_uploads;  // set when it runs the upload role: it gets the members
  transcode_actor local_transcoder;    // set when it runs the transcode role: it gets the members
};

/// Publishes this node's greeter on the port (all interfaces, mutual TLS),
/// then registers the node in etcd and starts following the members.
caf::expected<cluster_actor> start_cluster_service(caf::actor_system& sys, cluster_service_config config);

}  // namespace sg::cluster
