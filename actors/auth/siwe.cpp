#include "actors/auth/siwe.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "actors/auth/eth.hpp"
#include "runtime/clock.hpp"

namespace sg::siwe {

namespace {

const std::string preamble = " wants you to sign in with your Ethereum account:";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto pos = text.find('\n', start);
    out.push_back(text.substr(start, pos - start));
    if (pos == std::string::npos)
      return out;
    start = pos + 1;
  }
}

bool authority(const std::string& s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '@' || c == '_';
  });
}

bool uri_like(const std::string& s) {
  auto colon = s.find(':');
  return colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::none_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

}  // namespace

std::optional<message> parse(const std::string& text, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<message> {
    if (why != nullptr)
      *why = reason;
    return std::nullopt;
  };
  if (text.size() > 8192)
    return fail("message too long");
  if (text.find('\r') != std::string::npos)
    return fail("line ends must be LF");
  auto lines = lines_of(text);
  size_t at = 0;
  auto next = [&]() -> const std::string* { return at < lines.size() ? &lines[at++] : nullptr; };
  message m;
  auto* first = next();
  if (first == nullptr || first->size() <= preamble.size() ||
      first->compare(first->size() - preamble.size(), preamble.size(), preamble) != 0)
    return fail("first line is not a sign-in request");
  m.domain = first->substr(0, first->size() - preamble.size());
  if (auto scheme = m.domain.find("://"); scheme != std::string::npos)
    m.domain = m.domain.substr(scheme + 3);
  if (!authority(m.domain))
    return fail("domain is malformed");
  auto* addr = next();
  if (addr == nullptr || !eth::parse_address(*addr))
    return fail("address is malformed or fails its EIP-55 checksum");
  m.address = *addr;
  auto* blank = next();
  if (blank == nullptr || !blank->empty())
    return fail("an empty line must follow the address");
  auto* line = next();
  if (line == nullptr)
    return fail("message ends early");
  if (!line->empty()) {  // a statement, then an empty line
    m.statement = *line;
    line = next();
    if (line == nullptr || !line->empty())
      return fail("an empty line must follow the statement");
  }
  auto field = [&](const char* name, std::string& out, bool required) {
    std::string prefix = std::string(name) + ": ";
    if (at < lines.size() && lines[at].rfind(prefix, 0) == 0) {
      out = lines[at++].substr(prefix.size());
      return !out.empty();
    }
    return !required;
  };
  std::string chain;
  if (!field("URI", m.uri, true) || !uri_like(m.uri))
    return fail("URI is missing or malformed");
  if (!field("Version", m.version, true) || m.version != "1")
    return fail("Version must be 1");
  if (!field("Chain ID", chain, true) || chain.size() > 18 ||
      !std::all_of(chain.begin(), chain.end(), [](unsigned char c) { return std::isdigit(c); }))
    return fail("Chain ID is missing or malformed");
  m.chain_id = std::stoull(chain);
  if (!field("Nonce", m.nonce, true) || m.nonce.size() < 8 ||
      !std::all_of(m.nonce.begin(), m.nonce.end(), [](unsigned char c) { return std::isalnum(c); }))
    return fail("Nonce must be at least 8 letters or digits");
  if (!field("Issued At", m.issued_at, true) || !parse_rfc3339_ms(m.issued_at))
    return fail("Issued At is missing or not RFC 3339");
  if (!field("Expiration Time", m.expiration_time, false) ||
      (!m.expiration_time.empty() && !parse_rfc3339_ms(m.expiration_time)))
    return fail("Expiration Time is not RFC 3339");
  if (!field("Not Before", m.not_before, false) || (!m.not_before.empty() && !parse_rfc3339_ms(m.not_before)))
    return fail("Not Before is not RFC 3339");
  if (!field("Request ID", m.request_id, false))
    return fail("Request ID is empty");
  if (at < lines.size() && lines[at] == "Resources:") {
    ++at;
    while (at < lines.size() && lines[at].rfind("- ", 0) == 0) {
      auto r = lines[at++].substr(2);
      if (!uri_like(r))
        return fail("a resource is not a URI");
      m.resources.push_back(std::move(r));
    }
  }
  if (at != lines.size())
    return fail("unexpected text after the fields");
  return m;
}

std::string format(const message& m) {
  std::string out = m.domain + preamble + "\n" + m.address + "\n\n";
  if (!m.statement.empty())
    out += m.statement + "\n";
  out += "\nURI: " + m.uri + "\nVersion: " + m.version + "\nChain ID: " + std::to_string(m.chain_id) +
         "\nNonce: " + m.nonce + "\nIssued At: " + m.issued_at;
  if (!m.expiration_time.empty())
    out += "\nExpiration Time: " + m.expiration_time;
  if (!m.not_before.empty())
    out += "\nNot Before: " + m.not_before;
  if (!m.request_id.empty())
    out += "\nRequest ID: " + m.request_id;
  if (!m.resources.empty()) {
    out += "\nResources:";
    for (const auto& r : m.resources)
      out += "\n- " + r;
  }
  return out;
}

}  // namespace sg::siwe
