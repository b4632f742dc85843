#pragma once
// Settings every node of a cluster must agree on (the playback HMAC key, the
// JWT keys): the first node to start stores its candidate in etcd
// (create-if-absent), every node reads the value that won. A token minted on
// one node is then good on all. docs/architecture.md §Shared settings.
#include <string>

#include "cluster/etcd.hpp"

namespace sg::cluster {

/// The cluster's value of `key`, `candidate` if this call set it first.
std::string shared_value(etcd::client& etcd, const std::string& key, const std::string& candidate);

}  // namespace sg::cluster
