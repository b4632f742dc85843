#include "gateway/playback_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "runtime/text.hpp"

namespace sg {

namespace {
constexpr size_t mac_hex = 32;  // 128 bits

std::string mac(const std::string& secret, const std::string& video_id, int64_t expires_s,
                const std::string& viewer) {
  auto msg = "playback.v1|" + video_id + "|" + std::to_string(expires_s) + "|" + viewer;
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
                          int64_t expires_s, const std::string& viewer) {
  auto head = std::to_string(expires_s) + (viewer.empty() ? "" : "." + viewer);
  return head + "." + mac(secret, video_id, expires_s, viewer);
}

token_status check_playback(const std::string& secret, const std::string& video_id,
                            const std::string& token, int64_t now_s) {
  auto dot = token.find('.');
  auto last = token.rfind('.');
  if (dot == std::string::npos || token.size() - last - 1 != mac_hex)
    return token_status::malformed;
  auto viewer = last == dot ? std::string{} : token.substr(dot + 1, last - dot - 1);
  if (!viewer.empty() && (viewer.size() != 40 || viewer.find_first_not_of("0123456789abcdef") != std::string::npos))
    return token_status::malformed;
  auto expires = text::parse_u64(token.substr(0, dot));
  if (!expires || *expires > INT64_MAX)
    return token_status::malformed;
  dot = last;
  auto expected = mac(secret, video_id, static_cast<int64_t>(*expires), viewer);
  if (CRYPTO_memcmp(expected.data(), token.data() + dot + 1, mac_hex) != 0)
    return token_status::forged;
  if (static_cast<int64_t>(*expires) <= now_s)
    return token_status::expired;
  return token_status::valid;
}

}  // namespace sg
