#define BOOST_TEST_MODULE siwe
#include <boost/test/unit_test.hpp>

#include "actors/auth/eth.hpp"
#include "actors/auth/siwe.hpp"
#include "runtime/clock.hpp"

using namespace sg;

namespace {
// Made by siwe 3.0 (test-vectors.md), LF line ends, no trailing newline.
const std::string vector_text =
  "localhost:8080 wants you to sign in with your Ethereum account:\n"
  "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0\n"
  "\n"
  "Sign in to watch gated streams.\n"
  "\n"
  "URI: http://localhost:8080/login\n"
  "Version: 1\n"
  "Chain ID: 1337\n"
  "Nonce: k9Qd3x7Lp2Zr4Tn8\n"
  "Issued At: 2025-01-01T00:00:00.000Z\n"
  "Expiration Time: 2030-01-01T00:00:00.000Z";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  BOOST_REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}
}  // namespace

BOOST_AUTO_TEST_CASE(parses_the_reference_message_and_round_trips) {
  std::string why;
  auto m = siwe::parse(vector_text, &why);
  BOOST_REQUIRE_MESSAGE(m, why);
  BOOST_TEST(m->domain == "localhost:8080");
  BOOST_TEST(m->address == "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0");
  BOOST_TEST(m->statement == "Sign in to watch gated streams.");
  BOOST_TEST(m->uri == "http://localhost:8080/login");
  BOOST_TEST(m->chain_id == 1337u);
  BOOST_TEST(m->nonce == "k9Qd3x7Lp2Zr4Tn8");
  BOOST_TEST(*parse_rfc3339_ms(m->issued_at) == 1735689600000);
  BOOST_TEST(*parse_rfc3339_ms(m->expiration_time) == 1893456000000);
  BOOST_TEST(siwe::format(*m) == vector_text);
  // And the signature siwe made over it recovers the signer.
  auto sig = *eth::from_hex("0x7c706c47e8b17c7f1a9ea3addff34cade003951af25dd7870f0b0d87ad51562c4be615415f49be0873a9802d421a55cb1b8ba8cd4b16c9a8d44c32e06da2d8df1b");
  BOOST_TEST(eth::checksummed(*eth::recover(eth::personal_message_hash(vector_text), sig)) == m->address);
}

BOOST_AUTO_TEST_CASE(optional_parts) {
  auto no_statement = replace(vector_text, "Sign in to watch gated streams.\n", "");
  auto m = siwe::parse(no_statement);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->statement.empty());
  BOOST_TEST(siwe::format(*m) == no_statement);
  auto full = vector_text + "\nNot Before: 2025-01-01T00:00:00Z\nRequest ID: abc-1\nResources:\n"
                            "- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/\n"
                            "- https://example.com/my-web2-claim.json";
  auto f = siwe::parse(full);
  BOOST_REQUIRE(f);
  BOOST_TEST(f->resources.size() == 2u);
  BOOST_TEST(f->request_id == "abc-1");
  BOOST_TEST(siwe::format(*f) == full);
  BOOST_TEST(siwe::parse(replace(vector_text, "localhost:8080 wants", "https://localhost:8080 wants"))->domain ==
             "localhost:8080");
}

BOOST_AUTO_TEST_CASE(malformed_messages_are_refused_with_a_reason) {
  const std::vector<std::pair<std::string, std::string>> cases{
    {replace(vector_text, "wants you to sign in", "would like you to sign in"), "first line"},
    {replace(vector_text, "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0", "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409F0"), "EIP-55"},
    {replace(vector_text, "Version: 1", "Version: 2"), "Version"},
    {replace(vector_text, "Chain ID: 1337", "Chain ID: 13a7"), "Chain ID"},
    {replace(vector_text, "Nonce: k9Qd3x7Lp2Zr4Tn8", "Nonce: short"), "Nonce"},
    {replace(vector_text, "Nonce: k9Qd3x7Lp2Zr4Tn8", "Nonce: k9Qd3x7L-2Zr4Tn8"), "Nonce"},
    {replace(vector_text, "2025-01-01T00:00:00.000Z", "2025-13-01T00:00:00.000Z"), "Issued At"},
    {replace(vector_text, "2025-01-01T00:00:00.000Z", "yesterday"), "Issued At"},
    {replace(vector_text, "URI: http://localhost:8080/login", "URI: not a uri"), "URI"},
    {replace(vector_text, "\nVersion: 1", ""), "Version"},
    {vector_text + "\n", "unexpected"},
    {vector_text + "\nExtra: field", "unexpected"},
    {replace(vector_text, "\n", "\r\n"), "LF"},
    {replace(vector_text, "streams.\n\nURI", "streams.\nURI"), "empty line"},
    {"", "first line"},
  };
  for (const auto& [text, reason] : cases) {
    std::string why;
    BOOST_TEST(!siwe::parse(text, &why), "accepted: " << reason);
    BOOST_TEST(why.find(reason) != std::string::npos, "reason '" << why << "' lacks '" << reason << "'");
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_times) {
  BOOST_TEST(*parse_rfc3339_ms("2025-01-01T00:00:00Z") == 1735689600000);
  BOOST_TEST(*parse_rfc3339_ms("2025-01-01T01:00:00.5+01:00") == 1735689600500);
  BOOST_TEST(*parse_rfc3339_ms("2024-12-31T19:00:00-05:00") == 1735689600000);
  BOOST_TEST(!parse_rfc3339_ms("2025-01-01 00:00:00Z"));
  BOOST_TEST(!parse_rfc3339_ms("2025-01-01T00:00:00"));
  BOOST_TEST(!parse_rfc3339_ms("2025-01-01T00:00:00.Z"));
  BOOST_TEST(!parse_rfc3339_ms("2025-01-01T00:00:00Zjunk"));
}
