#include "actors/auth/session_tokens.hpp"

#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <jwt.h>
#include <nlohmann/json.hpp>

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

}  // namespace

session_tokens::session_tokens(std::vector<std::pair<std::string, std::string>> keys)
  : keys_(std::move(keys)) {
  if (keys_.empty())
    throw std::invalid_argument("no JWT keys");
}

std::string session_tokens::issue(const session_claims& c) const {
  jwt_t* raw = nullptr;
  jwt_new(&raw);
  jwt_ptr jwt{raw};
  const auto& [kid, secret] = keys_.front();
  jwt_set_alg(raw, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
              static_cast<int>(secret.size()));
  jwt_add_header(raw, "kid", kid.c_str());
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
  auto header = header_text ? nlohmann::json::parse(*header_text, nullptr, false) : nlohmann::json();
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string())
    return fail("the token header is malformed");
  if (header["alg"] != "HS256")
    return fail("the token's algorithm is not accepted");
  if (!header.contains("kid") || !header["kid"].is_string())
    return fail("the token names no key");
  const std::string* secret = nullptr;
  for (const auto& [kid, s] : keys_)
    if (kid == header["kid"])
      secret = &s;
  if (secret == nullptr)
    return fail("the token's key is unknown");
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret->data()),
                 static_cast<int>(secret->size())) != 0)
    return fail("the token's signature is not valid");
  jwt_ptr jwt{raw};
  if (jwt_get_alg(raw) != JWT_ALG_HS256)
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
                                                               const std::string& data_dir) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& s : specs) {
    auto colon = s.find(':');
    if (colon == std::string::npos || colon == 0 || s.size() - colon - 1 < 16)
      throw std::invalid_argument("a JWT key must be KID:SECRET with a secret of 16+ bytes");
    keys.emplace_back(s.substr(0, colon), s.substr(colon + 1));
  }
  if (keys.empty())
    keys.emplace_back("local", load_or_create_secret(data_dir + "/jwt", ""));
  return keys;
}

}  // namespace sg
