#pragma once
// The node's roles as data: what each needs, what it provides, how it starts.
// The node starts the planned roles in table order (every need comes earlier)
// and stops them in reverse with one loop. docs/architecture.md §Roles.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>

#include "messages/directory.hpp"
#include "messages/gateway_actor.hpp"
#include "runtime/config.hpp"
#include "runtime/media_files.hpp"

namespace caf { class actor_system; }

namespace sg {

struct role;

/// What the roles share while they start.
struct role_env {
  caf::actor_system& sys;
  const node_config& config;
  directory_actor directory;
  std::shared_ptr<const std::string> secret;
  std::shared_ptr<media_files> media;  // one for the media store and the segment path
  std::vector<const role*> planned;  // the roles this node runs, in start order
  std::vector<std::string> missing;  // the roles it does not
  std::shared_ptr<std::atomic<bool>> started = std::make_shared<std::atomic<bool>>(false);
  gateway_actor gateway;  // set once the gateway role started

  bool runs(const std::string& role_name) const;
};

struct role {
  std::string name;
  std::vector<std::string> needs;  // roles that must run on this node and start first
  std::vector<service> provides;   // named in the directory once it started
  /// Starts the role's actors (and names its services in the directory);
  /// returns them in the order they stop, or why it could not start.
  std::function<caf::expected<std::vector<caf::actor>>(role_env&)> start;
};

/// Every role, in start order.
const std::vector<role>& role_table();

/// The roles to run for `--roles` (empty: all), in start order; an error
/// names a role no node knows, or one whose needs this node does not run.
caf::expected<std::vector<const role*>> plan_roles(const std::vector<std::string>& wanted,
                                                   const std::vector<role>& table = role_table());

}  // namespace sg
