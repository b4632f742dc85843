#pragma once
// admin: the door of the admin shell (`streamgate shell`,
// docs/architecture.md §Admin shell). A client that shows the admin token
// gets the handle of one of the node's services and then speaks that
// service's own typed interface, as the gateway does: the shell holds no
// policy of its own.
#include <string>

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace sg {

using admin_actor = caf::typed_actor<
  // The actor serving the named service (directory names: "monitor",
  // "jobs", "job_store", ...) for this node: its own, else a member's.
  // errc::forbidden without the right token, errc::not_found for a name no
  // service has, errc::unavailable when none runs.
  caf::replies_to<caf::get_atom, std::string, std::string>::with<caf::actor>,
  // The node's effective settings as a config file (TOML), secrets redacted.
  // On a cluster another member asks without the token: the cluster's mutual
  // TLS vouched for it.
  caf::replies_to<caf::get_atom, std::string>::with<std::string>>;

}  // namespace sg
