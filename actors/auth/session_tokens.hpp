#pragma once
// JWT sessions through libjwt: HS256, a `kid` header, several keys where the
// first signs and all verify (rotation). `alg: none`, another algorithm and
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
  /// kid -> secret; the first pair signs. Throws std::invalid_argument if empty.
  explicit session_tokens(std::vector<std::pair<std::string, std::string>> keys);
  std::string issue(const session_claims& claims) const;
  /// The claims of a genuine, current token; otherwise nothing and `why`.
  std::optional<session_claims> verify(const std::string& token, int64_t now_s,
                                       std::string* why) const;

private:
  std::vector<std::pair<std::string, std::string>> keys_;
};

/// "kid:secret" pairs from config; a generated key persisted in the data
/// directory when none is configured.
std::vector<std::pair<std::string, std::string>> jwt_keys_from(const std::vector<std::string>& specs,
                                                               const std::string& data_dir);

}  // namespace sg
