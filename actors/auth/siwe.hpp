#pragma once
// EIP-4361 (Sign-In with Ethereum) messages: a strict parser of the ABNF and
// the writer of our challenges. Verification policy lives in the auth service.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sg::siwe {

struct message {
  std::string domain;
  std::string address;  // as written (EIP-55 checked by the parser)
  std::string statement;  // empty: none
  std::string uri;
  std::string version;
  uint64_t chain_id = 0;
  std::string nonce;
  std::string issued_at;
  std::string expiration_time;  // optional fields: empty when absent
  std::string not_before;
  std::string request_id;
  std::vector<std::string> resources;
};

/// Parses `text`; on failure returns nothing and says why in `why`.
std::optional<message> parse(const std::string& text, std::string* why = nullptr);

/// The exact text a wallet signs for `m` (LF line ends, no trailing newline).
std::string format(const message& m);

}  // namespace sg::siwe
