#define BOOST_TEST_MODULE ladder
#include <boost/test/unit_test.hpp>

#include "actors/transcode/ladder.hpp"

using namespace sg;

namespace {
std::vector<std::string> names(const ladder_plan& p) {
  std::vector<std::string> out;
  for (const auto& r : p.rungs)
    out.push_back(r.name + "=" + std::to_string(r.width) + "x" + std::to_string(r.height));
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(hd_source_gets_every_rung_below_it) {
  auto p = plan_ladder(1280, 720, 30, 1, 4);
  BOOST_TEST(names(p) == (std::vector<std::string>{"720p=1280x720", "480p=854x480",
                                                   "360p=640x360", "240p=426x240"}));
  BOOST_TEST(p.gop == 120);
  BOOST_TEST(p.frame_step == 1);
}

BOOST_AUTO_TEST_CASE(never_upscales_and_keeps_odd_sources_as_a_rung) {
  auto p = plan_ladder(1000, 562, 25, 1, 4);  // odd height, not a standard rung
  BOOST_TEST(names(p) == (std::vector<std::string>{"562p=1000x562", "480p=854x480",
                                                   "360p=640x360", "240p=428x240"}));
  for (const auto& r : p.rungs) {
    BOOST_TEST(r.width % 2 == 0);
    BOOST_TEST(r.height % 2 == 0);
    BOOST_TEST(r.height <= 562);
  }
  auto tiny = plan_ladder(320, 180, 30, 1, 4);  // smaller than every rung
  BOOST_TEST(names(tiny) == (std::vector<std::string>{"180p=320x180"}));
}

BOOST_AUTO_TEST_CASE(above_the_top_rung_it_scales_down) {
  auto p = plan_ladder(7680, 4320, 30, 1, 4);
  BOOST_TEST(p.rungs.front().name == "2160p");
  BOOST_TEST(p.rungs.front().width == 3840);
  BOOST_TEST(p.rungs.size() == 7u);
}

BOOST_AUTO_TEST_CASE(aspect_ratio_is_kept_for_wide_and_portrait) {
  auto wide = plan_ladder(1920, 800, 24, 1, 4);  // 2.4:1
  BOOST_TEST(wide.rungs.front().name == "800p");
  BOOST_TEST(wide.rungs[1].width == 1728);  // 720 * 2.4
  auto portrait = plan_ladder(1080, 1920, 30, 1, 4);
  BOOST_TEST(portrait.rungs.front().name == "1080p");
  BOOST_TEST(portrait.rungs.front().width == 1080);
  BOOST_TEST(portrait.rungs.front().height == 1920);
  BOOST_TEST(portrait.rungs[1].width == 720);
  BOOST_TEST(portrait.rungs[1].height == 1280);
}

BOOST_AUTO_TEST_CASE(frame_rate_is_capped_at_60) {
  auto p = plan_ladder(1920, 1080, 120, 1, 4);
  BOOST_TEST(p.frame_step == 2);
  BOOST_TEST(p.fps_num == 120);
  BOOST_TEST(p.fps_den == 2);
  BOOST_TEST(p.gop == 240);
  auto ntsc = plan_ladder(1920, 1080, 30000, 1001, 4);
  BOOST_TEST(ntsc.frame_step == 1);
  BOOST_TEST(ntsc.gop == 120);
  auto sixty = plan_ladder(1920, 1080, 60, 1, 2);
  BOOST_TEST(sixty.frame_step == 1);
  BOOST_TEST(sixty.gop == 120);
}

BOOST_AUTO_TEST_CASE(bitrates_follow_bits_per_pixel) {
  BOOST_TEST(bits_per_pixel(1080) == 0.10, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(bits_per_pixel(360) == 0.15, boost::test_tools::tolerance(1e-9));
  auto p = plan_ladder(1920, 1080, 30, 1, 4);
  BOOST_TEST(p.rungs[0].bitrate == static_cast<int64_t>(0.10 * 1920 * 1080 * 30));
  for (size_t i = 1; i < p.rungs.size(); ++i)
    BOOST_TEST(p.rungs[i].bitrate < p.rungs[i - 1].bitrate);
}

BOOST_AUTO_TEST_CASE(a_chosen_ladder_restricts_the_rungs) {
  auto p = plan_ladder(1920, 1080, 30, 1, 4, {1080, 720, 360});
  BOOST_TEST(names(p) == (std::vector<std::string>{"1080p=1920x1080", "720p=1280x720",
                                                   "360p=640x360"}));
}
