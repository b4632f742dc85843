#include "actors/auth/keccak.hpp"

#include <cstring>

namespace sg::eth {

namespace {

constexpr uint64_t round_constants[24] = {
  0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
  0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
  0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
  0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
  0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
  0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// Rotation offsets and lane order of the rho and pi steps, walked as one chain.
constexpr int rho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                         27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int pi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                        15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

constexpr uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void keccak_f(uint64_t a[25]) {
  for (uint64_t rc : round_constants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x)  // theta
      c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5)
        a[y + x] ^= d;
    }
    uint64_t carry = a[1];  // rho and pi
    for (int i = 0; i < 24; ++i) {
      uint64_t next = a[pi[i]];
      a[pi[i]] = rotl(carry, rho[i]);
      carry = next;
    }
    for (int y = 0; y < 25; y += 5) {  // chi
      uint64_t row[5];
      std::memcpy(row, a + y, sizeof row);
      for (int x = 0; x < 5; ++x)
        a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    a[0] ^= rc;  // iota
  }
}

uint64_t load_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

}  // namespace

hash256 keccak256(const void* data, size_t n) {
  constexpr size_t rate = 136;  // bytes: 1600 - 2 * 256 bits
  uint64_t state[25] = {};
  auto* p = static_cast<const uint8_t*>(data);
  while (n >= rate) {
    for (size_t i = 0; i < rate / 8; ++i)
      state[i] ^= load_le(p + 8 * i);
    keccak_f(state);
    p += rate;
    n -= rate;
  }
  uint8_t last[rate] = {};
  std::memcpy(last, p, n);
  last[n] ^= 0x01;  // Keccak padding (SHA-3 would use 0x06)
  last[rate - 1] ^= 0x80;
  for (size_t i = 0; i < rate / 8; ++i)
    state[i] ^= load_le(last + 8 * i);
  keccak_f(state);
  hash256 out;
  for (size_t i = 0; i < 32; ++i)
    out[i] = static_cast<uint8_t>(state[i / 8] >> (8 * (i % 8)));
  return out;
}

}  // namespace sg::eth
