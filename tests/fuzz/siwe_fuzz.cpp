// libFuzzer target: the SIWE parser must never crash, and what it accepts it
// must be able to write back and read again identically.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "actors/auth/siwe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto m = sg::siwe::parse(text, &why);
  if (!m)
    return 0;
  auto again = sg::siwe::parse(sg::siwe::format(*m));
  if (!again || sg::siwe::format(*again) != sg::siwe::format(*m))
    std::abort();
  return 0;
}
