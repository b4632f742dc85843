#include "gateway/playback_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "gateway/tus_headers.hpp"

namespace sg {

namespace {
constexpr size_t mac_hex = 32;  // 128 bits

std::string mac(const std::string& secret, const std::string& video_id, int64_t expires_s) {
  auto msg = "playback.v1|" + video_id + "|" + std::to_string(expires_s);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < mac_hex / 2; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 0xf];
  }
  return hex;
}
}  // namespace

std::string sign_playback(const std::string& secret, const std::string& video_id,
                          int64_t expires_s) {
  return std::to_string(expires_s) + "." + mac(secret, video_id, expires_s);
}

token_status check_playback(const std::string& secret, const std::string& video_id,
                            const std::string& token, int64_t now_s) {
  auto dot = token.find('.');
  if (dot == std::string::npos || token.size() - dot - 1 != mac_hex)
    return token_status::malformed;
  auto expires = tus::parse_u64(token.substr(0, dot));
  if (!expires || *expires > INT64_MAX)
    return token_status::malformed;
  auto expected = mac(secret, video_id, static_cast<int64_t>(*expires));
  if (CRYPTO_memcmp(expected.data(), token.data() + dot + 1, mac_hex) != 0)
    return token_status::forged;
  if (static_cast<int64_t>(*expires) <= now_s)
    return token_status::expired;
  return token_status::valid;
}

}  // namespace sg
