#pragma once
// Keccak-256 as Ethereum uses it (original Keccak padding, not NIST SHA3-256,
// which OpenSSL 3.0 has instead). Checked against published vectors.
#include <array>
#include <cstdint>
#include <string_view>

namespace sg::eth {

using hash256 = std::array<uint8_t, 32>;

hash256 keccak256(const void* data, size_t n);
inline hash256 keccak256(std::string_view s) { return keccak256(s.data(), s.size()); }

}  // namespace sg::eth
