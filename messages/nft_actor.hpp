#pragma once
// nft_verifier: ownership checks over Ethereum JSON-RPC with failover, a
// circuit breaker per endpoint, ERC-165 detection, shared in-flight calls and
// cached results. When no endpoint answers: errc::unavailable (fail closed).
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/gate.hpp"

namespace sg {

/// What one RPC worker found out.
struct rpc_outcome {
  bool answered = false;   // some endpoint answered
  bool holds = false;
  std::string standard;    // detected or given
  std::string error;
  std::vector<std::string> failed;  // endpoints that did not answer
  std::string answered_by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rpc_outcome& x) {
  return f(caf::meta::type_name("rpc_outcome"), x.answered, x.holds, x.standard, x.error,
           x.failed, x.answered_by);
}

using nft_actor = caf::typed_actor<caf::replies_to<check_atom, holding_check>::with<bool>>;

/// A one-shot worker: the endpoints to try in order, and a known standard.
using rpc_worker_actor = caf::typed_actor<
  caf::replies_to<check_atom, holding_check, std::vector<std::string>>::with<rpc_outcome>>;

}  // namespace sg
