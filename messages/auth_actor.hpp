#pragma once
// auth_service: challenges (single-use nonces, persisted), signature checks,
// JWT sessions with revocation. Failures are errc::unauthorized naming the
// check that failed, never the value that was expected.
#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/auth.hpp"

namespace sg {

using auth_actor = caf::typed_actor<
  caf::replies_to<challenge_atom, challenge_request>::with<challenge>,
  caf::replies_to<verify_atom, signed_challenge>::with<session>,
  // The session a bearer token stands for (signature, time, revocation).
  caf::replies_to<session_atom, std::string>::with<session>,
  caf::replies_to<refresh_atom, std::string>::with<session>,
  caf::replies_to<logout_atom, std::string>::with<caf::ok_atom>>;

}  // namespace sg
