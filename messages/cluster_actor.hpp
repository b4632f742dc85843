#pragma once
// The cluster as the node sees it (docs/architecture.md §Cluster). Each node
// registers a member record in etcd under its lease and publishes a greeter
// on its mutual-TLS cluster port; the cluster service of every node keeps
// the member table: a member is "up" once its greeter answered over TLS with
// the identity its record claims.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/cache_actor.hpp"
#include "messages/offers.hpp"

namespace sg {

/// What a node says about itself, in etcd and when greeted.
struct member_record {
  std::string id;       // this process's run of the node (new at every start)
  std::string name;     // the common name of its certificate
  std::string cluster;  // the cluster name
  std::string address;  // host:port of its cluster transport
  std::string http;     // host:port of its gateway
  std::vector<std::string> roles;
  int64_t started_ms = 0;  // unix time
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_record& x) {
  return f(caf::meta::type_name("member_record"), x.id, x.name, x.cluster, x.address, x.http,
           x.roles, x.started_ms);
}

/// A member in the table: "joining" (in etcd, not yet greeted), "up",
/// "unreachable" (greeting failed or its connection broke), "refused" (not
/// who its record claims, or of another cluster) or "self"; the reason says
/// why.
struct member_view {
  member_record record;
  std::string state;
  std::string reason;
  int64_t lease_age_ms = 0;  // since its record was last written or seen alive
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_view& x) {
  return f(caf::meta::type_name("member_view"), x.record, x.state, x.reason, x.lease_age_ms);
}

struct cluster_view {
  std::string self_id;
  bool etcd_reachable = false;
  int64_t keepalive_age_ms = 0;  // since this node's lease was last renewed
  std::vector<member_view> members;
  std::vector<std::string> cache_ring;  // names of the members whose caches share the keys
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cluster_view"), x.self_id, x.etcd_reachable, x.keepalive_age_ms,
           x.members, x.cache_ring);
}

using cluster_actor = caf::typed_actor<caf::replies_to<members_atom>::with<cluster_view>>;



/// Published on the cluster port. Of two members, the one with the smaller
/// id dials the other and greets it over mutual TLS with the cluster name it
/// expects, its own record and its own greeter (so that both learn each
/// other's greeter over one connection: CAF 0.17 drops one of two
/// connections dialled at once, and the proxies that came through it stay
/// dead); the answer is the greeted member's record. Greetings repeat every
/// second both ways while the members are up. A member that is up is asked
/// for the services it runs; they fill the gaps of the peer's directory.
using greeter_actor = caf::typed_actor<
  caf::replies_to<hello_atom, std::string, member_record, caf::actor>::with<member_record>,
  caf::replies_to<caf::get_atom>::with<std::vector<offered_service>>>;

}  // namespace sg
