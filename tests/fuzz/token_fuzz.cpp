// libFuzzer target: every parser of request tokens and headers must survive
// any input: playback tokens, JWTs, tus headers, ABI integers, base58.
#include <cstdint>
#include <string>

#include "actors/auth/session_tokens.hpp"
#include "actors/auth/solana.hpp"
#include "actors/nft/abi.hpp"
#include "gateway/playback_token.hpp"
#include "gateway/tus_headers.hpp"
#include "runtime/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  static const sg::session_tokens tokens{{{"k1", "fuzzing-secret-0123456789"}}};
  std::string why;
  (void) tokens.verify(s, 1700000000, &why);
  (void) sg::check_playback("secret", "0123456789abcdef", s, 1700000000);
  (void) sg::tus::parse_metadata(s);
  (void) sg::tus::parse_checksum(s);
  (void) sg::tus::parse_concat(s);
  (void) sg::text::parse_u64(s);
  if (auto raw = sg::text::base64_decode(s))
    if (sg::text::base64_encode(*raw) != s)
      __builtin_trap();  // decoding is strict, so encoding must give the input back
  (void) sg::abi::uint256_hex(s);
  if (auto b = sg::solana::base58_decode(s))
    (void) sg::solana::base58_encode(*b);
  return 0;
}
