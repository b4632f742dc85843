#pragma once
// The rules of wallet sign-in, free of actors and storage: the challenge
// texts we issue, and every check a signed answer must pass.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "messages/auth.hpp"

namespace sg::sign_in {

struct policy {
  std::string domain;            // the SIWE domain (host[:port])
  std::set<uint64_t> chains;     // allowed chain ids; empty: any
  int64_t skew_ms = 60'000;      // clock skew tolerated on Issued At
  int64_t challenge_ttl_ms = 300'000;
};

/// What we remember of an issued challenge, keyed by its nonce.
struct record {
  sign_in_kind kind = sign_in_kind::siwe;
  std::string nonce;    // the key it is stored under; a SIWE answer must name it
  std::string address;  // EIP-55 form, or base58 for Solana
  uint64_t chain_id = 0;
  std::string message;  // the exact text (or typed data JSON) issued
  int64_t issued_ms = 0;
  int64_t expires_ms = 0;
};
std::string to_json(const record& r);
std::optional<record> record_from_json(const std::string& text);

/// Builds the challenge; nothing (and `why`) when the request is unacceptable.
std::optional<challenge> make(const policy& p, const challenge_request& req, const std::string& nonce,
                              int64_t now_ms, record* out, std::string* why);

/// The nonce a signed answer claims, to find its record: a SIWE message's
/// Nonce field as its parser reads it (in EIP-4361 order, never a "Nonce:"
/// inside the statement); for the other kinds, whose text must equal the
/// issued one exactly, the Nonce line.
std::optional<std::string> nonce_of(const signed_challenge& s);

/// Checks the answer against its record; returns the failed check, if any.
/// When only the signature failed (for an EOA), `contract_digest` receives
/// the signed digest (0x-hex): the address may be an EIP-1271 contract wallet.
std::optional<std::string> check(const policy& p, const record& r, const signed_challenge& s,
                                 int64_t now_ms, std::string* contract_digest = nullptr);

}  // namespace sg::sign_in
