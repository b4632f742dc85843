#pragma once
// Solana sign-in: base58 keys and signatures, ed25519 through OpenSSL.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sg::solana {

std::string base58_encode(const std::vector<uint8_t>& bytes);
std::optional<std::vector<uint8_t>> base58_decode(const std::string& text);

/// True when `signature` (64 bytes) signs `message` for `public_key` (32 bytes).
bool verify_ed25519(const std::vector<uint8_t>& public_key, const std::string& message,
                    const std::vector<uint8_t>& signature);

}  // namespace sg::solana
