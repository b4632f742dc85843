#include "actors/nft/abi.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace sg::abi {

namespace {

const char* digits = "0123456789abcdef";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// A 0x-prefixed 32-byte word of an eth_call result, without the prefix.
std::optional<std::string> word(const std::string& result) {
  if (result.size() != 66 || result.compare(0, 2, "0x") != 0 || !is_hex(result.substr(2)))
    return std::nullopt;
  return lower(result.substr(2));
}

}  // namespace

std::optional<std::string> uint256_hex(const std::string& decimal) {
  if (decimal.empty() || decimal.size() > 78 ||
      !std::all_of(decimal.begin(), decimal.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  std::array<uint8_t, 32> n{};  // big-endian
  for (char c : decimal) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (int i = 31; i >= 0; --i) {
      unsigned v = n[i] * 10u + carry;
      n[i] = static_cast<uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    if (carry != 0)
      return std::nullopt;  // 2^256 or more
  }
  std::string out;
  for (auto b : n) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::optional<std::string> address_word(const std::string& address) {
  if (address.size() != 42 || address.compare(0, 2, "0x") != 0 || !is_hex(address.substr(2)))
    return std::nullopt;
  return std::string(24, '0') + lower(address.substr(2));
}

std::string supports_interface(const std::string& id) {
  return "0x01ffc9a7" + id + std::string(56, '0');
}
std::string owner_of(const std::string& token) { return "0x6352211e" + token; }
std::string balance_of(const std::string& owner) { return "0x70a08231" + owner; }
std::string balance_of(const std::string& owner, const std::string& token) {
  return "0x00fdd58e" + owner + token;
}

std::optional<std::string> result_address(const std::string& result) {
  auto w = word(result);
  if (!w)
    return std::nullopt;
  return "0x" + w->substr(24);
}

std::optional<bool> result_at_least(const std::string& result, uint64_t min) {
  auto w = word(result);
  if (!w)
    return std::nullopt;
  if (w->find_first_not_of('0') < 48)
    return true;  // above 2^64
  return std::stoull(w->substr(48), nullptr, 16) >= min;
}

}  // namespace sg::abi
