#include "actors/auth/eth.hpp"

#include <algorithm>
#include <cstring>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

namespace sg::eth {

namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// n / 2 of secp256k1, big-endian: signatures with a larger s are refused.
constexpr uint8_t half_order[32] = {
  0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
  0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0};

const secp256k1_context* context() {
  static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
  return ctx;
}

void put_u256(std::vector<uint8_t>& out, uint64_t v) {
  out.insert(out.end(), 24, 0);
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_hash(std::vector<uint8_t>& out, const hash256& h) { out.insert(out.end(), h.begin(), h.end()); }
void put_address(std::vector<uint8_t>& out, const address& a) {
  out.insert(out.end(), 12, 0);
  out.insert(out.end(), a.begin(), a.end());
}
hash256 keccak(const std::vector<uint8_t>& v) { return keccak256(v.data(), v.size()); }

}  // namespace

std::optional<std::vector<uint8_t>> from_hex(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s.remove_prefix(2);
  if (s.size() % 2 != 0)
    return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string to_hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "0x";
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xf];
  }
  return out;
}

std::string checksummed(const address& a) {
  auto lower = to_hex(a.data(), a.size()).substr(2);
  auto h = keccak256(lower);
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    int bits = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 0xf;
    char c = lower[i];
    out += (c >= 'a' && bits >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::optional<address> parse_address(const std::string& s) {
  if (s.size() != 42 || s[0] != '0' || s[1] != 'x')
    return std::nullopt;
  auto bytes = from_hex(s);
  if (!bytes)
    return std::nullopt;
  address a;
  std::copy(bytes->begin(), bytes->end(), a.begin());
  auto body = s.substr(2);
  bool has_lower = std::any_of(body.begin(), body.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  bool has_upper = std::any_of(body.begin(), body.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  if (has_lower && has_upper && checksummed(a) != s)
    return std::nullopt;
  return a;
}

hash256 personal_message_hash(const std::string& message) {
  auto prefixed = "\x19" "Ethereum Signed Message:\n" + std::to_string(message.size()) + message;
  return keccak256(prefixed);
}

hash256 login_digest(const login_domain& d, const address& wallet, const std::string& nonce,
                     uint64_t issued_at) {
  std::string domain_type = "EIP712Domain(string name,string version,uint256 chainId";
  domain_type += d.verifying_contract ? ",address verifyingContract)" : ")";
  std::vector<uint8_t> domain;
  put_hash(domain, keccak256(domain_type));
  put_hash(domain, keccak256(d.name));
  put_hash(domain, keccak256(d.version));
  put_u256(domain, d.chain_id);
  if (d.verifying_contract)
    put_address(domain, *d.verifying_contract);
  std::vector<uint8_t> login;
  put_hash(login, keccak256("Login(address wallet,string nonce,uint256 issuedAt)"));
  put_address(login, wallet);
  put_hash(login, keccak256(nonce));
  put_u256(login, issued_at);
  std::vector<uint8_t> digest{0x19, 0x01};
  put_hash(digest, keccak(domain));
  put_hash(digest, keccak(login));
  return keccak(digest);
}

std::optional<address> recover(const hash256& digest, const std::vector<uint8_t>& sig,
                               recover_error* why) {
  auto fail = [&](recover_error e) {
    if (why != nullptr)
      *why = e;
    return std::nullopt;
  };
  if (sig.size() != 65)
    return fail(recover_error::malformed);
  int v = sig[64];
  int recid = v >= 27 ? v - 27 : v;
  if (recid < 0 || recid > 1)
    return fail(recover_error::bad_v);
  if (std::memcmp(sig.data() + 32, half_order, 32) > 0)
    return fail(recover_error::high_s);
  secp256k1_ecdsa_recoverable_signature rs;
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &rs, sig.data(), recid) ||
      !secp256k1_ecdsa_recover(context(), &pub, &rs, digest.data()))
    return fail(recover_error::unrecoverable);
  uint8_t raw[65];
  size_t len = sizeof raw;
  secp256k1_ec_pubkey_serialize(context(), raw, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  auto h = keccak256(raw + 1, 64);
  address a;
  std::copy(h.begin() + 12, h.end(), a.begin());
  if (why != nullptr)
    *why = recover_error::none;
  return a;
}

}  // namespace sg::eth
