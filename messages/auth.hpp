#pragma once
// Wallet sign-in: challenges, their signed answers, and JWT sessions.
#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/states.hpp"

namespace sg {

struct challenge_request {
  std::string address;
  uint64_t chain_id = 0;
  sign_in_kind kind = sign_in_kind::siwe;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, challenge_request& x) {
  return f(caf::meta::type_name("challenge_request"), x.address, x.chain_id, x.kind);
}

struct challenge {
  sign_in_kind kind = sign_in_kind::siwe;
  std::string nonce;
  std::string message;     // the text to sign (siwe, eip191, solana)
  std::string typed_data;  // EIP-712 JSON (eip712)
  int64_t issued_ms = 0;
  int64_t expires_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, challenge& x) {
  return f(caf::meta::type_name("challenge"), x.kind, x.nonce, x.message, x.typed_data,
           x.issued_ms, x.expires_ms);
}

struct signed_challenge {
  std::string message;
  std::string typed_data;  // JSON, for eip712
  std::string signature;   // 0x-hex (EVM) or base58 (Solana)
  std::string public_key;  // Solana, optional: the challenge names it already
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signed_challenge& x) {
  return f(caf::meta::type_name("signed_challenge"), x.message, x.typed_data, x.signature,
           x.public_key);
}

/// A session: the JWT and what it says.
struct session {
  std::string token;
  std::string address;
  std::string jti;
  int64_t expires_s = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session& x) {
  return f(caf::meta::type_name("session"), x.token, x.address, x.jti, x.expires_s);
}

}  // namespace sg
