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
  token_standard standard = token_standard::detect;  // detected or given
  std::string error;
  std::vector<std::string> failed;  // endpoints that did not answer
  std::string answered_by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rpc_outcome& x) {
  return f(caf::meta::type_name("rpc_outcome"), x.answered, x.holds, x.standard, x.error,
           x.failed, x.answered_by);
}

/// EIP-1271: does the contract at `address` accept `signature` over `digest`?
struct contract_signature {
  uint64_t chain_id = 0;
  std::string address;
  std::string digest;     // 0x + 64 hex
  std::string signature;  // 0x-hex
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, contract_signature& x) {
  return f(caf::meta::type_name("contract_signature"), x.chain_id, x.address, x.digest, x.signature);
}

using nft_actor = caf::typed_actor<
  // Does the viewer pass the whole gate? Its rules are checked concurrently;
  // "any" answers at the first holding, "all" at the first lacking.
  caf::replies_to<check_atom, gate, std::string>::with<bool>,
  caf::replies_to<check_atom, holding_check>::with<bool>,
  // False when the address has no code, or the contract does not answer
  // the magic value 0x1626ba7e.
  caf::replies_to<check_atom, contract_signature>::with<bool>>;

/// A one-shot worker: one check, trying the endpoints in order.
using rpc_worker_actor = caf::typed_actor<
  caf::replies_to<check_atom, holding_check, std::vector<std::string>>::with<rpc_outcome>,
  caf::replies_to<check_atom, contract_signature, std::vector<std::string>>::with<rpc_outcome>>;

}  // namespace sg
