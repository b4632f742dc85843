#pragma once
// jobs: the node's work that belongs to no request, run on schedules. Today
// it sweeps spent sign-in records (challenges past their expiry, revocations
// past their token's) every minute.
#include <cstdint>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace sg {

using jobs_actor = caf::typed_actor<
  // Runs the sweep now; answers how many records went.
  caf::replies_to<sweep_atom>::with<uint64_t>>;

}  // namespace sg
