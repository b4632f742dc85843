#pragma once
// The jobs service's outgoing HTTP: resolves a webhook's host once, refuses
// addresses inside the node's network unless allowed, and POSTs to the
// address it resolved (no second lookup: no DNS-rebinding window). Blocking,
// so it runs detached, one request at a time.
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace caf { class actor_system; }

namespace sg {

using webhook_sender_actor = caf::typed_actor<
  // Why the URL cannot be reached as a webhook ("" when it can).
  caf::replies_to<check_atom, std::string>::with<std::string>,
  // POSTs a JSON body with extra headers ("Name: value"): whether a 2xx came
  // back, and what happened ("HTTP 200", "connect: ...").
  caf::replies_to<deliver_atom, std::string, std::string, std::vector<std::string>>::with<bool, std::string>>;

webhook_sender_actor spawn_webhook_sender(caf::actor_system& sys, bool allow_private);

}  // namespace sg
