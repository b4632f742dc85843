#define BOOST_TEST_MODULE tus_headers
#include <boost/test/unit_test.hpp>

#include "gateway/tus_headers.hpp"
#include "messages/limits.hpp"

using namespace sg::tus;

BOOST_AUTO_TEST_CASE(metadata_pairs_decode) {
  // The example of the tus specification.
  auto m = parse_metadata("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->size() == 2u);
  BOOST_TEST(metadata_value(*m, "filename") == "world_domination_plan.pdf");
  BOOST_TEST(metadata_value(*m, "is_confidential") == "");
  BOOST_TEST(metadata_value(*m, "missing") == "");
  BOOST_TEST(parse_metadata("")->empty());
  BOOST_TEST(*parse_metadata("title SGk=, tags YSxi") ==
             (metadata{{"title", "Hi"}, {"tags", "a,b"}}));
}

BOOST_AUTO_TEST_CASE(malformed_metadata_is_refused) {
  BOOST_TEST(!parse_metadata("title not-base64!"));
  BOOST_TEST(!parse_metadata("a SGk=,a SGk="));  // duplicate key
  BOOST_TEST(!parse_metadata(",title SGk="));    // empty key
  BOOST_TEST(!parse_metadata("title SGk"));      // bad length
  BOOST_TEST(!parse_metadata("title /w=="));     // 0xff: not UTF-8 text
  BOOST_TEST(!parse_metadata("title wK8="));     // c0 af: an overlong '/'
}

BOOST_AUTO_TEST_CASE(checksum_header_parses) {
  auto c = parse_checksum("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->algorithm == "sha1");
  BOOST_TEST(c->digest.size() == 20u);
  BOOST_TEST(!parse_checksum("sha1"));
  BOOST_TEST(!parse_checksum("sha1 "));
  BOOST_TEST(!parse_checksum("sha1 ***"));
}

BOOST_AUTO_TEST_CASE(concat_header_parses) {
  BOOST_TEST(parse_concat("partial")->partial);
  const std::string a = "0123456789abcdef0123456789abcdef";
  const std::string b = "fedcba9876543210fedcba9876543210";
  auto f = parse_concat("final;/api/v1/uploads/" + a + " http://h:1/api/v1/uploads/" + b);
  BOOST_REQUIRE(f);
  BOOST_TEST(!f->partial);
  BOOST_TEST(f->parts == (std::vector<std::string>{a, b}));
  BOOST_TEST(!parse_concat("final;"));
  BOOST_TEST(!parse_concat("final;/api/v1/uploads/../../etc/passwd"));
  BOOST_TEST(!parse_concat("partial;x"));
  BOOST_TEST(!parse_concat("whole"));
}

BOOST_AUTO_TEST_CASE(tags_are_trimmed_deduplicated_and_bounded) {
  BOOST_TEST(*parse_tags(" cats, fun ,,cats") == (std::vector<std::string>{"cats", "fun"}));
  BOOST_TEST(parse_tags("")->empty());
  BOOST_TEST(!parse_tags(std::string(65, 'x')));
  std::string many;
  for (int i = 0; i < 33; ++i)
    many += "t" + std::to_string(i) + ",";
  BOOST_TEST(!parse_tags(many));
  BOOST_TEST(!parse_tags("ok,\xff"));  // not UTF-8
}

BOOST_AUTO_TEST_CASE(tags_refuse_huge_lists_before_any_work) {
  // 80k distinct tags took 18 s of de-duplication once; now the length alone
  // refuses them, and a list of repeats de-duplicates against one tag.
  std::string distinct;
  for (int i = 0; i < 80000; ++i)
    distinct += "t" + std::to_string(i) + ",";
  BOOST_TEST(distinct.size() > sg::limits::tags * (sg::limits::tag_bytes + 8));
  BOOST_TEST(!parse_tags(distinct));
  std::string repeats;
  for (int i = 0; i < 600; ++i)
    repeats += "a,";
  BOOST_TEST(*parse_tags(repeats) == std::vector<std::string>{"a"});
}
