#pragma once
// The admin shell's commands (docs/architecture.md §Admin shell): each asks
// the node's services through their own typed interfaces, with handles the
// admin actor gave, and answers a JSON document and a table for people.
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>

#include "messages/admin_actor.hpp"
#include "messages/errors.hpp"

namespace sg::shell {

/// Where the shell finds the node's services: a single node's admin door
/// (with the token), or a cluster member's offers (over mutual TLS, what the
/// member's greeter names: its own services).
struct session {
  caf::scoped_actor& self;
  admin_actor admin;  // a single node
  std::string token;
  std::map<std::string, caf::actor> offers;  // a cluster member
  // On a cluster: the services another member offers, dialled at its
  // cluster address (host:port).
  std::function<caf::expected<std::map<std::string, caf::actor>>(const std::string&)> dial;
  std::chrono::seconds timeout{15};

  /// The node's actor for a service (by its directory name).
  caf::expected<caf::actor> service(const std::string& name);
  /// The actor of another member (its name or id; "": this node), dialled.
  caf::expected<caf::actor> service_on(const std::string& node, const std::string& name);

  /// One request, waited for.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    caf::expected<T> out{make_error(errc::internal, "no answer")};
    self->request(h, timeout, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

struct output {
  nlohmann::json json;
  std::string text;  // for people: a table or a line
};

struct command {
  std::string name;   // one or two words: "alerts", "job show"
  std::string usage;  // its arguments
  std::string summary;
  std::function<caf::expected<output>(session&, const std::vector<std::string>& args)> run;
  // What its first argument may be (ids, names), for Tab; none: no completion.
  std::function<std::vector<std::string>(session&)> ids = {};
};

/// Every command, in the order help lists them.
const std::vector<command>& commands();

/// The job commands (shell_job_commands.cpp): schedules, dead letters.
std::vector<command> job_commands();

/// The commands about one node's insides (shell_node_commands.cpp): actors,
/// the transcode pool.
std::vector<command> node_commands();

using args_t = std::vector<std::string>;

/// The service `name` of a node (default: this one) as its typed handle.
template <class Handle>
caf::expected<Handle> typed(session& s, const std::string& name, const std::string& node = {}) {
  auto h = s.service_on(node, name);
  if (!h)
    return h.error();
  return caf::actor_cast<Handle>(*h);
}

/// The names of the cluster's members that are up (none on a single node).
std::vector<std::string> member_names(session& s);

/// A refusal that shows the command's form.
caf::error usage(const std::string& form);

/// ISO 8601 UTC, or "-" for 0.
std::string when(int64_t ms);

/// Aligned columns under a header.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace sg::shell
