#define BOOST_TEST_MODULE session_tokens
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "actors/auth/session_tokens.hpp"
#include "runtime/text.hpp"
#include "runtime/ids.hpp"

using namespace sg;

namespace {

session_claims claims(int64_t now) {
  return session_claims{"0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0", random_hex(8), now, now, now + 3600};
}

std::string b64url(const std::string& raw) {
  auto s = text::base64_encode(raw);
  for (auto& c : s)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  return s;
}

std::string part(const std::string& token, int i) {
  size_t start = 0;
  for (int k = 0; k < i; ++k)
    start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}

struct temp_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("sg-jwt-" + random_hex(6));
  ~temp_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(hs256_round_trip_and_time_claims) {
  session_tokens t{{{"k1", "a-secret-of-enough-bytes"}}};
  const int64_t now = 1'800'000'000;
  auto token = t.issue(claims(now));
  std::string why;
  auto c = t.verify(token, now + 10, &why);
  BOOST_REQUIRE_MESSAGE(c, why);
  BOOST_TEST(c->sub == "0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0");
  BOOST_TEST(!t.verify(token, now + 3600, &why));
  BOOST_TEST(why == "the token expired");
  BOOST_TEST(!t.verify(token, now - 10, &why));
  BOOST_TEST(why == "the token is not valid yet");
}

BOOST_AUTO_TEST_CASE(es256_keys_sign_and_verify) {
  temp_dir dir;
  auto keys = jwt_keys_from({}, dir.path.string(), "ES256");
  BOOST_TEST(keys.front().second.rfind("-----BEGIN PRIVATE KEY", 0) == 0);
  BOOST_TEST(jwt_keys_from({}, dir.path.string(), "ES256") == keys);  // persisted, reused
  session_tokens t{keys};
  const int64_t now = 1'800'000'000;
  auto token = t.issue(claims(now));
  BOOST_TEST(part(token, 0) == b64url(R"({"alg":"ES256","kid":"local-es256","typ":"JWT"})"));
  std::string why;
  BOOST_TEST(t.verify(token, now + 1, &why).has_value(), why);
  // Another P-256 key under the same kid does not verify it.
  temp_dir other;
  session_tokens stranger{{{"local-es256", jwt_keys_from({}, other.path.string(), "ES256").front().second}}};
  BOOST_TEST(!stranger.verify(token, now + 1, &why));
  BOOST_TEST(why == "the token's signature is not valid");
}

BOOST_AUTO_TEST_CASE(rotation_and_forgeries) {
  temp_dir dir;
  auto es = jwt_keys_from({}, dir.path.string(), "ES256").front();
  session_tokens old_keys{{{"k1", "first-secret-0123456789"}}};
  session_tokens rotated{{{"k2", "second-secret-0123456789"}, {"k1", "first-secret-0123456789"}, es}};
  const int64_t now = 1'800'000'000;
  std::string why;
  BOOST_TEST(rotated.verify(old_keys.issue(claims(now)), now, &why).has_value(), why);
  BOOST_TEST(part(rotated.issue(claims(now)), 0).size() > 0);
  auto body = part(old_keys.issue(claims(now)), 1);
  // alg none, an algorithm other than the kid's (HS256 under an ES256 key:
  // the public-key-as-HMAC-secret attack), an unknown kid.
  for (const char* header : {R"({"alg":"none","kid":"k1"})", R"({"alg":"HS256","kid":"local-es256"})",
                             R"({"alg":"ES256","kid":"k1"})", R"({"alg":"HS256","kid":"k9"})",
                             R"({"alg":"HS256"})"}) {
    auto forged = b64url(header) + "." + body + ".c2lnbmF0dXJl";
    BOOST_TEST(!rotated.verify(forged, now, &why), header);
  }
  BOOST_TEST(!rotated.verify("not-a-token", now, &why));
  BOOST_CHECK_THROW(jwt_keys_from({"k1:short"}, dir.path.string()), std::invalid_argument);
  std::vector<std::pair<std::string, std::string>> bad_pem{
    {"k", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"}};
  BOOST_CHECK_THROW(session_tokens{bad_pem}, std::invalid_argument);
}
