#pragma once
// JWT sessions through libjwt: HS256 (a shared secret) or ES256 (a P-256
// key in PEM), a `kid` header, several keys where the first signs and all
// verify (rotation). `alg: none`, an algorithm other than the kid's, and
// unknown kids are refused before libjwt sees the token.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg {

struct session_claims {
  std::string sub;  // the wallet address
  std::string jti;
  int64_t iat = 0;
  int64_t nbf = 0;
  int64_t exp = 0;
};

class session_tokens {
public:
  /// kid -> secret (HS256) or PEM private key (ES256); the first pair signs.
  /// Throws std::invalid_argument if empty or a PEM is not a P-256 key.
  explicit session_tokens(const std::vector<std::pair<std::string, std::string>>& keys);
  std::string issue(const session_claims& claims) const;
  /// The claims of a genuine, current token; otherwise nothing and `why`.
  std::optional<session_claims> verify(const std::string& token, int64_t now_s,
                                       std::string* why) const;

private:
  struct key {
    std::string kid;
    std::string alg;     // HS256 | ES256
    std::string sign;    // secret, or private PEM
    std::string verify;  // secret, or public PEM
  };
  std::vector<key> keys_;
};

/// A new P-256 private key in PEM (an ES256 signing key).
std::string new_p256_pem();

/// "KID:SECRET" (HS256) or "KID:@/path/key.pem" (ES256, P-256) pairs from
/// config. With none, a key of `alg` is generated and kept in the data dir.
std::vector<std::pair<std::string, std::string>> jwt_keys_from(const std::vector<std::string>& specs,
                                                               const std::string& data_dir,
                                                               const std::string& alg = "HS256");

}  // namespace sg
