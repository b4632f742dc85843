#define BOOST_TEST_MODULE playlists
#include <boost/test/unit_test.hpp>

#include "actors/transcode/playlists.hpp"
#include "gateway/playback_token.hpp"

using namespace sg;

namespace {
std::vector<rendition> sample() {
  rendition v;
  v.name = "720p";
  v.kind = "video";
  v.width = 1280;
  v.height = 720;
  v.fps_num = 30000;
  v.fps_den = 1001;
  v.codecs = "avc1.64001F";
  v.bandwidth = 3000000;
  v.average_bandwidth = 2500000;
  v.segments = {4.004, 4.004, 2.002};
  rendition a;
  a.name = "audio";
  a.kind = "audio";
  a.sample_rate = 48000;
  a.channels = 2;
  a.codecs = "mp4a.40.2";
  a.bandwidth = 130000;
  a.average_bandwidth = 128000;
  a.segments = {4.0, 4.0, 2.01};
  return {v, a};
}
}  // namespace

BOOST_AUTO_TEST_CASE(segment_names) {
  BOOST_TEST(segment_name(0) == "seg_00001.m4s");
  BOOST_TEST(segment_name(41) == "seg_00042.m4s");
}

BOOST_AUTO_TEST_CASE(media_playlist_text) {
  BOOST_TEST(hls_media_playlist(sample()[0]) ==
             "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:0\n"
             "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n"
             "#EXTINF:4.004000,\nseg_00001.m4s\n#EXTINF:4.004000,\nseg_00002.m4s\n"
             "#EXTINF:2.002000,\nseg_00003.m4s\n#EXT-X-ENDLIST\n");
}

BOOST_AUTO_TEST_CASE(master_playlist_text) {
  BOOST_TEST(hls_master_playlist(sample()) ==
             "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
             "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"default\",DEFAULT=YES,"
             "AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n"
             "#EXT-X-STREAM-INF:BANDWIDTH=3130000,AVERAGE-BANDWIDTH=2628000,"
             "CODECS=\"avc1.64001F,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO=\"audio\"\n"
             "720p/index.m3u8\n");
  auto silent = sample();
  silent.pop_back();
  auto text = hls_master_playlist(silent);
  BOOST_TEST(text.find("EXT-X-MEDIA") == std::string::npos);
  BOOST_TEST(text.find("CODECS=\"avc1.64001F\",RESOLUTION") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dash_manifest_text) {
  auto mpd = dash_manifest(sample(), 10.01);
  BOOST_TEST(mpd.find("type=\"static\" mediaPresentationDuration=\"PT10.010S\"") != std::string::npos);
  BOOST_TEST(mpd.find("<Representation id=\"720p\" codecs=\"avc1.64001F\" bandwidth=\"3000000\" "
                      "width=\"1280\" height=\"720\" frameRate=\"30000/1001\">") != std::string::npos);
  // Boundaries are rounded, so durations never drift: 4004, 4004, 2002.
  BOOST_TEST(mpd.find("<SegmentTimeline><S t=\"0\" d=\"4004\" r=\"1\"/><S d=\"2002\"/></SegmentTimeline>") !=
             std::string::npos);
  BOOST_TEST(mpd.find("media=\"720p/seg_$Number%05d$.m4s\" startNumber=\"1\"") != std::string::npos);
  BOOST_TEST(mpd.find("audioSamplingRate=\"48000\"") != std::string::npos);
  BOOST_TEST(mpd.find("<S t=\"0\" d=\"4000\" r=\"1\"/><S d=\"2010\"/>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(playback_tokens_sign_and_verify) {
  const std::string secret = "s3cret";
  auto t = sign_playback(secret, "0123456789abcdef", 2000);
  BOOST_TEST(t.substr(0, 5) == "2000.");
  BOOST_TEST(t.size() == 5u + 32u);
  BOOST_TEST((check_playback(secret, "0123456789abcdef", t, 1999) == token_status::valid));
  BOOST_TEST((check_playback(secret, "0123456789abcdef", t, 2000) == token_status::expired));
  BOOST_TEST((check_playback(secret, "fedcba9876543210", t, 1000) == token_status::forged));
  BOOST_TEST((check_playback("other", "0123456789abcdef", t, 1000) == token_status::forged));
  auto later = "3000" + t.substr(4);  // extending the expiry breaks the MAC
  BOOST_TEST((check_playback(secret, "0123456789abcdef", later, 1000) == token_status::forged));
  BOOST_TEST((check_playback(secret, "0123456789abcdef", "garbage", 1000) == token_status::malformed));
  BOOST_TEST((check_playback(secret, "0123456789abcdef", "-1." + t.substr(5), 1000) ==
              token_status::malformed));
}
