#include "actors/auth/solana.hpp"

#include <cstring>
#include <memory>

#include <openssl/evp.h>

namespace sg::solana {

namespace {
constexpr const char* alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t max_text = 256;  // keys and signatures are far shorter
}  // namespace

std::string base58_encode(const std::vector<uint8_t>& bytes) {
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0)
    ++zeros;
  std::vector<uint8_t> digits;  // base 58, least significant first
  for (size_t i = zeros; i < bytes.size(); ++i) {
    int carry = bytes[i];
    for (auto& d : digits) {
      carry += d * 256;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it)
    out += alphabet[*it];
  return out;
}

std::optional<std::vector<uint8_t>> base58_decode(const std::string& text) {
  if (text.size() > max_text)
    return std::nullopt;
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1')
    ++zeros;
  std::vector<uint8_t> bytes;  // base 256, least significant first
  for (size_t i = zeros; i < text.size(); ++i) {
    const char* pos = std::strchr(alphabet, text[i]);
    if (pos == nullptr || text[i] == '\0')
      return std::nullopt;
    int carry = static_cast<int>(pos - alphabet);
    for (auto& b : bytes) {
      carry += b * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<uint8_t> out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

bool verify_ed25519(const std::vector<uint8_t>& public_key, const std::string& message,
                    const std::vector<uint8_t>& signature) {
  if (public_key.size() != 32 || signature.size() != 64)
    return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{
    EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()),
    &EVP_PKEY_free};
  if (!key)
    return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace sg::solana
