#pragma once
// A clustered node's part in the cluster (docs/architecture.md §Cluster):
// its greeter published on the mutual-TLS cluster port, then its record in
// etcd and the member table (the cluster service, named in the directory).
// Started after the roles it advertises, stopped before them: leaving
// revokes its lease, so peers see it go at once.
#include "app/roles.hpp"

namespace sg {

/// Not one of --roles: every clustered node runs it.
const role& cluster_role();

/// Names this run of the node (member id, upload id tag) and fills the
/// settings all nodes must share and this node was not given (playback
/// secret, JWT key) from etcd, storing this node's candidates when it is the
/// first. Throws std::runtime_error when etcd does not answer.
void adopt_shared_settings(node_config& config);

}  // namespace sg
