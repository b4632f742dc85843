#include "actors/auth/session_tokens.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <filesystem>
#include <fstream>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "runtime/json.hpp"
#include "runtime/secret.hpp"

namespace sg {

namespace {

struct jwt_deleter { void operator()(jwt_t* j) const { jwt_free(j); } };
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;

std::optional<std::string> base64url_decode(std::string s) {
  for (auto& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0)
    s += '=';
  static const std::string alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=')
      break;
    auto v = alphabet.find(c);
    if (v == std::string::npos)
      return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}


bool is_pem(const std::string& s) { return s.rfind("-----BEGIN", 0) == 0; }

// The public half of a P-256 private key, as PEM.
std::string public_pem(const std::string& private_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in{BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), &BIO_free};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{
    PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
  if (!pkey || !EVP_PKEY_is_a(pkey.get(), "EC") || EVP_PKEY_get_bits(pkey.get()) != 256)
    throw std::invalid_argument("an ES256 JWT key must be a P-256 private key in PEM");
  std::unique_ptr<BIO, decltype(&BIO_free)> out{BIO_new(BIO_s_mem()), &BIO_free};
  PEM_write_bio_PUBKEY(out.get(), pkey.get());
  char* data = nullptr;
  auto n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

jwt_alg_t alg_of(const std::string& name) { return name == "ES256" ? JWT_ALG_ES256 : JWT_ALG_HS256; }

}  // namespace

std::string new_p256_pem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{EVP_EC_gen("P-256"), &EVP_PKEY_free};
  std::unique_ptr<BIO, decltype(&BIO_free)> out{BIO_new(BIO_s_mem()), &BIO_free};
  if (!pkey || !PEM_write_bio_PrivateKey(out.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr))
    throw std::runtime_error("cannot generate a P-256 key");
  char* data = nullptr;
  auto n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

session_tokens::session_tokens(const std::vector<std::pair<std::string, std::string>>& keys) {
  if (keys.empty())
    throw std::invalid_argument("no JWT keys");
  for (const auto& [kid, material] : keys) {
    if (is_pem(material))
      keys_.push_back(key{kid, "ES256", material, public_pem(material)});
    else
      keys_.push_back(key{kid, "HS256", material, material});
  }
}


std::string session_tokens::issue(const session_claims& c) const {
  jwt_t* raw = nullptr;
  jwt_new(&raw);
  jwt_ptr jwt{raw};
  const auto& k = keys_.front();
  jwt_set_alg(raw, alg_of(k.alg), reinterpret_cast<const unsigned char*>(k.sign.data()),
              static_cast<int>(k.sign.size()));
  jwt_add_header(raw, "kid", k.kid.c_str());
  jwt_add_grant(raw, "sub", c.sub.c_str());
  jwt_add_grant(raw, "jti", c.jti.c_str());
  jwt_add_grant_int(raw, "iat", c.iat);
  jwt_add_grant_int(raw, "nbf", c.nbf);
  jwt_add_grant_int(raw, "exp", c.exp);
  char* text = jwt_encode_str(raw);
  if (text == nullptr)
    throw std::runtime_error("cannot encode a JWT");
  std::string out{text};
  std::free(text);  // libjwt 1.10 allocates with malloc
  return out;
}

std::optional<session_claims> session_tokens::verify(const std::string& token, int64_t now_s,
                                                     std::string* why) const {
  auto fail = [&](const char* reason) -> std::optional<session_claims> {
    *why = reason;
    return std::nullopt;
  };
  auto dot = token.find('.');
  if (token.size() > 4096 || dot == std::string::npos)
    return fail("the token is malformed");
  auto header_text = base64url_decode(token.substr(0, dot));
  auto header = header_text ? parse_json(*header_text).value_or(nlohmann::json()) : nlohmann::json();
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string())
    return fail("the token header is malformed");
  if (!header.contains("kid") || !header["kid"].is_string())
    return fail("the token names no key");
  const key* k = nullptr;
  for (const auto& candidate : keys_)
    if (candidate.kid == header["kid"])
      k = &candidate;
  if (k == nullptr)
    return fail("the token's key is unknown");
  // The key decides the algorithm, never the token (no HS256-with-a-public-key).
  if (header["alg"] != k->alg)
    return fail("the token's algorithm is not accepted");
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(k->verify.data()),
                 static_cast<int>(k->verify.size())) != 0)
    return fail("the token's signature is not valid");
  jwt_ptr jwt{raw};
  if (jwt_get_alg(raw) != alg_of(k->alg))
    return fail("the token's algorithm is not accepted");
  session_claims c;
  const char* sub = jwt_get_grant(raw, "sub");
  const char* jti = jwt_get_grant(raw, "jti");
  if (sub == nullptr || jti == nullptr)
    return fail("the token lacks sub or jti");
  c.sub = sub;
  c.jti = jti;
  c.iat = jwt_get_grant_int(raw, "iat");
  c.nbf = jwt_get_grant_int(raw, "nbf");
  c.exp = jwt_get_grant_int(raw, "exp");
  if (c.exp <= now_s)
    return fail("the token expired");
  if (c.nbf > now_s)
    return fail("the token is not valid yet");
  return c;
}

std::vector<std::pair<std::string, std::string>> jwt_keys_from(const std::vector<std::string>& specs,
                                                               const std::string& data_dir,
                                                               const std::string& alg) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& s : specs) {
    auto colon = s.find(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("a JWT key must be KID:SECRET or KID:@FILE.pem");
    auto material = s.substr(colon + 1);
    if (material.rfind("@", 0) == 0) {
      std::ifstream in{material.substr(1)};
      material.assign(std::istreambuf_iterator<char>(in), {});
      if (!in.good() && !in.eof())
        throw std::invalid_argument("cannot read the JWT key file " + s.substr(colon + 2));
    }
    if (!is_pem(material) && material.size() < 16)
      throw std::invalid_argument("an HS256 JWT secret needs 16 or more bytes");
    keys.emplace_back(s.substr(0, colon), std::move(material));
  }
  if (!keys.empty())
    return keys;
  if (alg != "ES256") {
    keys.emplace_back("local", load_or_create_secret(data_dir + "/jwt", ""));
    return keys;
  }
  auto path = data_dir + "/jwt-es256.pem";
  std::ifstream in{path};
  std::string pem{std::istreambuf_iterator<char>(in), {}};
  if (!is_pem(pem)) {
    pem = new_p256_pem();
    std::filesystem::create_directories(data_dir);
    std::ofstream out{path + ".tmp", std::ios::trunc};
    out << pem;
    out.close();
    ::chmod((path + ".tmp").c_str(), 0600);
    std::filesystem::rename(path + ".tmp", path);
  }
  keys.emplace_back("local-es256", pem);
  return keys;
}

}  // namespace sg
