#pragma once
// The few contract calls a gate needs, ABI-encoded as eth_call data, and the
// decoding of their answers.
#include <cstdint>
#include <optional>
#include <string>

namespace sg::abi {

/// A decimal uint256 as 64 hex digits; nothing if not a decimal below 2^256.
std::optional<std::string> uint256_hex(const std::string& decimal);
/// An 0x address as 64 hex digits (left-padded); nothing if malformed.
std::optional<std::string> address_word(const std::string& address);

std::string supports_interface(const std::string& interface_id_hex8);  // ERC-165
std::string owner_of(const std::string& token_word);                     // ERC-721
std::string balance_of(const std::string& owner_word);                   // ERC-721
std::string balance_of(const std::string& owner_word, const std::string& token_word);  // ERC-1155

/// The last 20 bytes of a 32-byte result, lowercase 0x-hex.
std::optional<std::string> result_address(const std::string& result);
/// True if a uint256 result is at least `min`.
std::optional<bool> result_at_least(const std::string& result, uint64_t min);

}  // namespace sg::abi
