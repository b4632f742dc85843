#include "actors/auth/sign_in.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "actors/auth/eth.hpp"
#include "actors/auth/siwe.hpp"
#include "actors/auth/solana.hpp"
#include "runtime/clock.hpp"
#include "runtime/json.hpp"

namespace sg::sign_in {

namespace {

using json = nlohmann::json;
const char* statement = "Sign in to StreamGate.";
const std::string solana_preamble = " wants you to sign in with your Solana account:";
const std::string eth_preamble = " wants you to sign in with your Ethereum account:";

std::string line_value(const std::string& text, const std::string& name) {
  auto key = "\n" + name + ": ";
  auto pos = text.find(key);
  if (pos == std::string::npos)
    return {};
  auto start = pos + key.size();
  return text.substr(start, text.find('\n', start) - start);
}

json typed_data(const record& r, const std::string& nonce) {
  return {{"types",
           {{"EIP712Domain", {{{"name", "name"}, {"type", "string"}},
                              {{"name", "version"}, {"type", "string"}},
                              {{"name", "chainId"}, {"type", "uint256"}}}},
            {"Login", {{{"name", "wallet"}, {"type", "address"}},
                       {{"name", "nonce"}, {"type", "string"}},
                       {{"name", "issuedAt"}, {"type", "uint256"}}}}}},
          {"primaryType", "Login"},
          {"domain", {{"name", "StreamGate"}, {"version", "1"}, {"chainId", r.chain_id}}},
          {"message", {{"wallet", r.address}, {"nonce", nonce}, {"issuedAt", r.issued_ms / 1000}}}};
}

std::optional<std::string> eoa_signer_matches(const eth::hash256& digest, const std::string& sig_hex,
                                              const std::string& address) {
  auto sig = eth::from_hex(sig_hex);
  if (!sig)
    return "the signature is not hex";
  eth::recover_error why;
  auto signer = eth::recover(digest, *sig, &why);
  if (!signer) {
    switch (why) {
      case eth::recover_error::high_s: return "the signature has a high s value";
      case eth::recover_error::bad_v: return "the signature's v is not 27, 28, 0 or 1";
      case eth::recover_error::malformed: return "the signature is not 65 bytes";
      default: return "no key recovers from the signature";
    }
  }
  // Compared as lowercase hex: the checksum was validated already, and
  // computing it again would cost one more keccak per sign-in.
  auto expected = address;
  std::transform(expected.begin(), expected.end(), expected.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (eth::to_hex(signer->data(), signer->size()) != expected)
    return "the signature does not match the address";
  return std::nullopt;
}

// An EOA's signature, or else the digest an EIP-1271 wallet could vouch for.
std::optional<std::string> evm_signer_matches(const eth::hash256& digest, const std::string& sig_hex,
                                              const std::string& address, std::string* contract_digest) {
  auto result = eoa_signer_matches(digest, sig_hex, address);
  if (result && contract_digest != nullptr && eth::from_hex(sig_hex))
    *contract_digest = eth::to_hex(digest.data(), digest.size());
  return result;
}

}  // namespace

std::string to_json(const record& r) {
  return json{{"kind", to_string(r.kind)},         {"nonce", r.nonce},
              {"address", r.address},   {"chain_id", r.chain_id},
              {"message", r.message},   {"issued_ms", r.issued_ms}, {"expires_ms", r.expires_ms}}
    .dump();
}

std::optional<record> record_from_json(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object())
    return std::nullopt;
  record r;
  auto kind = parse_state<sign_in_kind>(j.value("kind", ""));
  if (!kind)
    return std::nullopt;
  r.kind = *kind;
  r.nonce = j.value("nonce", "");
  r.address = j.value("address", "");
  r.chain_id = j.value("chain_id", uint64_t{0});
  r.message = j.value("message", "");
  r.issued_ms = j.value("issued_ms", int64_t{0});
  r.expires_ms = j.value("expires_ms", int64_t{0});
  return r;
}

std::optional<challenge> make(const policy& p, const challenge_request& req, const std::string& nonce,
                              int64_t now_ms, record* out, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<challenge> {
    *why = reason;
    return std::nullopt;
  };
  record r;
  r.kind = req.kind;
  r.nonce = nonce;
  r.issued_ms = now_ms;
  r.expires_ms = now_ms + p.challenge_ttl_ms;
  if (r.kind == sign_in_kind::solana) {
    auto key = solana::base58_decode(req.address);
    if (!key || key->size() != 32)
      return fail("address is not a base58 ed25519 public key");
    r.address = req.address;
  } else {
    auto a = eth::parse_address(req.address);
    if (!a)
      return fail("address is not 0x + 40 hex digits with a valid EIP-55 checksum");
    r.address = eth::checksummed(*a);
    if (!p.chains.empty() && p.chains.count(req.chain_id) == 0)
      return fail("chain_id is not one this server accepts");
    r.chain_id = req.chain_id;
  }
  challenge c;
  c.kind = r.kind;
  c.nonce = nonce;
  c.issued_ms = r.issued_ms;
  c.expires_ms = r.expires_ms;
  if (r.kind == sign_in_kind::siwe) {
    siwe::message m;
    m.domain = p.domain;
    m.address = r.address;
    m.statement = statement;
    m.uri = "http://" + p.domain;
    m.version = "1";
    m.chain_id = r.chain_id;
    m.nonce = nonce;
    m.issued_at = iso8601_ms(r.issued_ms);
    m.expiration_time = iso8601_ms(r.expires_ms);
    c.message = r.message = siwe::format(m);
  } else if (r.kind == sign_in_kind::eip191) {
    c.message = r.message = "Sign in to StreamGate\nAddress: " + r.address + "\nChain ID: " +
                            std::to_string(r.chain_id) + "\nNonce: " + nonce + "\nIssued At: " +
                            iso8601_ms(r.issued_ms) + "\nExpiration Time: " + iso8601_ms(r.expires_ms);
  } else if (r.kind == sign_in_kind::eip712) {
    c.typed_data = r.message = typed_data(r, nonce).dump();
  } else {
    c.message = r.message = p.domain + solana_preamble + "\n" + r.address + "\n\n" + statement +
                            "\n\nNonce: " + nonce + "\nIssued At: " + iso8601_ms(r.issued_ms) +
                            "\nExpiration Time: " + iso8601_ms(r.expires_ms);
  }
  *out = r;
  return c;
}

std::optional<std::string> nonce_of(const signed_challenge& s) {
  if (!s.typed_data.empty()) {
    auto j = parse_json(s.typed_data).value_or(json());
    if (j.is_object() && j.contains("message") && j["message"].is_object() &&
        j["message"].contains("nonce") && j["message"]["nonce"].is_string())
      return j["message"]["nonce"].get<std::string>();
    return std::nullopt;
  }
  if (auto m = siwe::parse(s.message))
    return m->nonce;
  auto n = line_value(s.message, "Nonce");
  if (n.empty())
    return std::nullopt;
  return n;
}

std::optional<std::string> check(const policy& p, const record& r, const signed_challenge& s,
                                 int64_t now_ms, std::string* contract_digest) {
  if (now_ms > r.expires_ms)
    return "the challenge expired";
  if (r.kind == sign_in_kind::siwe) {
    std::string why;
    auto m = siwe::parse(s.message, &why);
    if (!m)
      return "the SIWE message is malformed: " + why;
    if (m->domain != p.domain)
      return std::string{"the SIWE domain is not this server's"};
    auto scheme = m->uri.find("://");
    auto authority = scheme == std::string::npos ? "" : m->uri.substr(scheme + 3, m->uri.find('/', scheme + 3) - scheme - 3);
    if (authority != p.domain)
      return std::string{"the SIWE URI is not on this server's domain"};
    if (!p.chains.empty() && p.chains.count(m->chain_id) == 0)
      return std::string{"the chain id is not one this server accepts"};
    if (m->chain_id != r.chain_id)
      return std::string{"the chain id differs from the challenge's"};
    if (m->address != r.address)
      return std::string{"the address differs from the challenge's"};
    if (m->nonce != r.nonce)
      return std::string{"the nonce differs from the challenge's"};
    auto issued = *parse_rfc3339_ms(m->issued_at);
    if (issued > now_ms + p.skew_ms || issued < r.issued_ms - p.skew_ms)
      return std::string{"Issued At is outside the allowed clock skew"};
    if (!m->expiration_time.empty() && *parse_rfc3339_ms(m->expiration_time) <= now_ms)
      return std::string{"the message expired"};
    if (!m->not_before.empty() && *parse_rfc3339_ms(m->not_before) > now_ms)
      return std::string{"the message is not valid yet"};
    return evm_signer_matches(eth::personal_message_hash(s.message), s.signature, r.address, contract_digest);
  }
  if (r.kind == sign_in_kind::eip191) {
    if (s.message != r.message)
      return std::string{"the message differs from the challenge"};
    return evm_signer_matches(eth::personal_message_hash(s.message), s.signature, r.address, contract_digest);
  }
  if (r.kind == sign_in_kind::eip712) {
    auto sent = parse_json(s.typed_data).value_or(json());
    auto issued = json::parse(r.message);
    if (!sent.is_object() || sent.value("domain", json()) != issued["domain"] ||
        sent.value("message", json()) != issued["message"])
      return std::string{"the typed data differs from the challenge"};
    eth::login_domain d{"StreamGate", "1", r.chain_id, std::nullopt};
    auto digest = eth::login_digest(d, *eth::parse_address(r.address),
                                    issued["message"]["nonce"].get<std::string>(),
                                    static_cast<uint64_t>(r.issued_ms / 1000));
    return evm_signer_matches(digest, s.signature, r.address, contract_digest);
  }
  // solana
  if (s.message != r.message)
    return std::string{"the message differs from the challenge"};
  if (!s.public_key.empty() && s.public_key != r.address)
    return std::string{"the public key differs from the challenge's"};
  auto sig = solana::base58_decode(s.signature);
  if (!sig || sig->size() != 64)
    return std::string{"the signature is not 64 bytes of base58"};
  if (!solana::verify_ed25519(*solana::base58_decode(r.address), s.message, *sig))
    return std::string{"the signature does not match the public key"};
  return std::nullopt;
}

}  // namespace sg::sign_in
