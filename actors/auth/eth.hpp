#pragma once
// Ethereum signatures: EIP-55 addresses, EIP-191 personal_sign, EIP-712 typed
// data (our Login type), and public-key recovery with libsecp256k1.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/auth/keccak.hpp"

namespace sg::eth {

using address = std::array<uint8_t, 20>;

std::optional<std::vector<uint8_t>> from_hex(std::string_view s);  // optional 0x
std::string to_hex(const uint8_t* p, size_t n);                     // lowercase, 0x-prefixed

/// Parses "0x" + 40 hex digits. All-lower or all-upper is accepted as is; a
/// mixed-case address must carry a valid EIP-55 checksum.
std::optional<address> parse_address(const std::string& s);
std::string checksummed(const address& a);  // EIP-55

/// keccak256("\x19Ethereum Signed Message:\n" + len + message)
hash256 personal_message_hash(const std::string& message);

/// The EIP-712 digest of Login(address wallet,string nonce,uint256 issuedAt)
/// in the domain {name, version, chainId[, verifyingContract]}.
struct login_domain {
  std::string name;
  std::string version;
  uint64_t chain_id = 0;
  std::optional<address> verifying_contract;
};
hash256 login_digest(const login_domain& d, const address& wallet, const std::string& nonce,
                     uint64_t issued_at);

enum class recover_error { none, malformed, high_s, bad_v, unrecoverable };

/// The signer of a 65-byte r||s||v signature over `digest`. v may be 27/28 or
/// 0/1; s must be in the lower half of the order (no malleable signatures).
std::optional<address> recover(const hash256& digest, const std::vector<uint8_t>& signature,
                               recover_error* why = nullptr);

}  // namespace sg::eth
