#define BOOST_TEST_MODULE text
#include <boost/test/unit_test.hpp>

#include "runtime/clock.hpp"
#include "runtime/json.hpp"
#include "runtime/text.hpp"

using namespace sg;
using namespace sg::text;

BOOST_AUTO_TEST_CASE(integers_are_strict) {
  BOOST_TEST(*parse_u64("0") == 0u);
  BOOST_TEST(*parse_u64("18446744073709551615") == UINT64_MAX);
  BOOST_TEST(!parse_u64("18446744073709551616"));  // overflow
  BOOST_TEST(!parse_u64(""));
  BOOST_TEST(!parse_u64("-1"));
  BOOST_TEST(!parse_u64("+1"));
  BOOST_TEST(!parse_u64(" 1"));
  BOOST_TEST(!parse_u64("1.0"));
}

BOOST_AUTO_TEST_CASE(base64_round_trips_and_rejects_garbage) {
  BOOST_TEST(base64_encode("") == "");
  BOOST_TEST(base64_encode("f") == "Zg==");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  BOOST_TEST(base64_encode("foo") == "Zm9v");
  BOOST_TEST(*base64_decode("Zm9vYmFy") == "foobar");
  BOOST_TEST(*base64_decode("Zm9vYg==") == "foob");
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  BOOST_TEST(*base64_decode(base64_encode(all)) == all);
  BOOST_TEST(!base64_decode("Zm9"));       // length
  BOOST_TEST(!base64_decode("Zm=v"));      // padding in the middle
  BOOST_TEST(!base64_decode("Z==="));      // too much padding
  BOOST_TEST(!base64_decode("Zm9v!A=="));  // alphabet
  BOOST_TEST(!base64_decode("Zh=="));      // non-zero bits under the padding (found by fuzzing)
  BOOST_TEST(!base64_decode("Zm9="));
  // The fuzzer's first crash input (a JWT-like text): strictly refused.
  BOOST_TEST(!base64_decode("fililileGQeyJhbGciOiJIUzA2N="));
}

BOOST_AUTO_TEST_CASE(utf8_validation_follows_rfc_3629) {
  BOOST_TEST(valid_utf8(""));
  BOOST_TEST(valid_utf8("plain ascii"));
  BOOST_TEST(valid_utf8("Lisboa \xc3\xa0 noite \xe2\x82\xac \xf0\x9f\x8e\xac"));
  BOOST_TEST(!valid_utf8("\xff"));
  BOOST_TEST(!valid_utf8("\x80"));              // a lone continuation
  BOOST_TEST(!valid_utf8("\xc0\xaf"));          // overlong '/'
  BOOST_TEST(!valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  BOOST_TEST(!valid_utf8("\xed\xa0\x80"));      // a surrogate
  BOOST_TEST(!valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  BOOST_TEST(!valid_utf8("\xe2\x82"));          // cut short
}

BOOST_AUTO_TEST_CASE(case_helpers) {
  BOOST_TEST(ascii_lower("Transfer-Encoding: Chunked") == "transfer-encoding: chunked");
  BOOST_TEST(iequals("chunked", "ChUnKeD"));
  BOOST_TEST(!iequals("chunked", "chunked "));
  BOOST_TEST(trim("  a b\t") == "a b");
}

BOOST_AUTO_TEST_CASE(json_depth_is_bounded_at_parse_time) {
  std::string why;
  BOOST_TEST(parse_json(R"({"a":[{"b":[1,2,{"c":null}]}]})", &why).has_value());
  // 60000 levels in 120 KB once overflowed the stack in dump(); refused now.
  std::string deep(60000, '[');
  deep += std::string(60000, ']');
  BOOST_TEST(!parse_json(deep, &why));
  BOOST_TEST(why.find("deeper") != std::string::npos);
  std::string at_limit(max_json_depth, '[');
  at_limit += std::string(max_json_depth, ']');
  BOOST_TEST(parse_json(at_limit).has_value());
  std::string past_limit(max_json_depth + 1, '[');
  past_limit += std::string(max_json_depth + 1, ']');
  BOOST_TEST(!parse_json(past_limit));
  BOOST_TEST(!parse_json("{\"a\":\"\xff\"}", &why));  // not UTF-8
  BOOST_TEST(!parse_json("{", &why));
}

BOOST_AUTO_TEST_CASE(dumping_client_text_never_throws) {
  nlohmann::json j = {{"detail", std::string{"no such resource: /\xff"}}};
  BOOST_TEST(dump_json(j) == "{\"detail\":\"no such resource: /\xef\xbf\xbd\"}");
}

BOOST_AUTO_TEST_CASE(durations_have_a_count_and_a_unit) {
  using sg::text::parse_duration_ms;
  BOOST_TEST(*parse_duration_ms("90s") == 90'000);
  BOOST_TEST(*parse_duration_ms("5m") == 300'000);
  BOOST_TEST(*parse_duration_ms("2h") == 7'200'000);
  BOOST_TEST(*parse_duration_ms("1d") == 86'400'000);
  for (const char* bad : {"", "s", "5", "5x", "-5m", "5 m", "1.5h", "99999999999999999999d", "401d"})
    BOOST_TEST(!parse_duration_ms(bad), bad);
}

BOOST_AUTO_TEST_CASE(rfc3339_times_round_trip) {
  using sg::parse_rfc3339_ms;
  BOOST_TEST(*parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(*parse_rfc3339_ms("2026-12-01T10:00:00Z") == 1'796'119'200'000);
  BOOST_TEST(*parse_rfc3339_ms("2026-12-01T10:00:00.25Z") == 1'796'119'200'250);
  BOOST_TEST(*parse_rfc3339_ms("2026-12-01T11:00:00+01:00") == 1'796'119'200'000);
  BOOST_TEST(*parse_rfc3339_ms(sg::iso8601_ms(1'796'119'200'123)) == 1'796'119'200'123);
  for (const char* bad : {"", "2026-12-01", "2026-12-01T10:00Z", "2026-12-01T10:00:00", "2026-13-01T10:00:00Z",
                          "2026-12-01T25:00:00Z", "2026-12-01T10:00:00.Z", "2026-12-01T10:00:00Zjunk"})
    BOOST_TEST(!parse_rfc3339_ms(bad), bad);
}
