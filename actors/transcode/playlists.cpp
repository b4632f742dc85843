#include "actors/transcode/playlists.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sg {

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const rendition* audio_of(const std::vector<rendition>& rs) {
  auto it = std::find_if(rs.begin(), rs.end(), [](const rendition& r) { return r.kind == "audio"; });
  return it == rs.end() ? nullptr : &*it;
}

// ISO 8601 duration for the MPD, e.g. PT10.000S.
std::string iso_duration(double seconds) {
  return "PT" + fixed(seconds, 3) + "S";
}

// A SegmentTimeline in milliseconds; boundaries are rounded, not durations,
// so no drift accumulates.
std::string timeline(const std::vector<double>& segments) {
  std::string out = "<SegmentTimeline>";
  double start = 0;
  int64_t prev_d = -1;
  int repeat = 0;
  std::string pending;
  auto flush = [&] {
    if (prev_d < 0)
      return;
    out += pending + (repeat > 0 ? " r=\"" + std::to_string(repeat) + "\"" : "") + "/>";
  };
  for (size_t i = 0; i < segments.size(); ++i) {
    auto t0 = std::llround(start * 1000);
    start += segments[i];
    auto d = std::llround(start * 1000) - t0;
    if (d == prev_d) {
      ++repeat;
      continue;
    }
    flush();
    pending = "<S " + (i == 0 ? std::string{"t=\"0\" "} : std::string{}) + "d=\"" + std::to_string(d) + "\"";
    prev_d = d;
    repeat = 0;
  }
  flush();
  return out + "</SegmentTimeline>";
}

std::string segment_template(const rendition& r) {
  return "<SegmentTemplate timescale=\"1000\" initialization=\"" + r.name +
         "/init.mp4\" media=\"" + r.name + "/seg_$Number%05d$.m4s\" startNumber=\"1\">" +
         timeline(r.segments) + "</SegmentTemplate>";
}

}  // namespace

std::string segment_name(size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "seg_%05zu.m4s", index + 1);
  return buf;
}

std::string hls_media_playlist(const rendition& r) {
  double longest = 0;
  for (double d : r.segments)
    longest = std::max(longest, d);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(static_cast<int>(std::lround(std::ceil(longest - 1e-6)))) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  out += "#EXT-X-MAP:URI=\"init.mp4\"\n";
  for (size_t i = 0; i < r.segments.size(); ++i)
    out += "#EXTINF:" + fixed(r.segments[i], 6) + ",\n" + segment_name(i) + "\n";
  return out + "#EXT-X-ENDLIST\n";
}

std::string hls_master_playlist(const std::vector<rendition>& rs) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  const auto* audio = audio_of(rs);
  if (audio != nullptr)
    out += "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"default\",DEFAULT=YES,"
           "AUTOSELECT=YES,CHANNELS=\"" + std::to_string(audio->channels) + "\",URI=\"" +
           audio->name + "/index.m3u8\"\n";
  for (const auto& r : rs) {
    if (r.kind != "video")
      continue;
    auto peak = r.bandwidth + (audio ? audio->bandwidth : 0);
    auto average = r.average_bandwidth + (audio ? audio->average_bandwidth : 0);
    std::string codecs = r.codecs + (audio ? "," + audio->codecs : "");
    out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(peak) +
           ",AVERAGE-BANDWIDTH=" + std::to_string(average) + ",CODECS=\"" + codecs +
           "\",RESOLUTION=" + std::to_string(r.width) + "x" + std::to_string(r.height) +
           ",FRAME-RATE=" + fixed(static_cast<double>(r.fps_num) / r.fps_den, 3) +
           (audio ? ",AUDIO=\"audio\"" : "") + "\n" + r.name + "/index.m3u8\n";
  }
  return out;
}

std::string dash_manifest(const std::vector<rendition>& rs, double duration_s) {
  std::string out =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
    "profiles=\"urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019\" "
    "type=\"static\" mediaPresentationDuration=\"" + iso_duration(duration_s) +
    "\" minBufferTime=\"PT2S\">\n <Period id=\"0\" start=\"PT0S\">\n";
  out += "  <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\" "
         "segmentAlignment=\"true\" startWithSAP=\"1\">\n";
  for (const auto& r : rs) {
    if (r.kind != "video")
      continue;
    out += "   <Representation id=\"" + r.name + "\" codecs=\"" + r.codecs + "\" bandwidth=\"" +
           std::to_string(r.bandwidth) + "\" width=\"" + std::to_string(r.width) + "\" height=\"" +
           std::to_string(r.height) + "\" frameRate=\"" + std::to_string(r.fps_num) + "/" +
           std::to_string(r.fps_den) + "\">" + segment_template(r) + "</Representation>\n";
  }
  out += "  </AdaptationSet>\n";
  if (const auto* a = audio_of(rs)) {
    out += "  <AdaptationSet id=\"1\" contentType=\"audio\" mimeType=\"audio/mp4\" "
           "segmentAlignment=\"true\" startWithSAP=\"1\">\n";
    out += "   <Representation id=\"" + a->name + "\" codecs=\"" + a->codecs + "\" bandwidth=\"" +
           std::to_string(a->bandwidth) + "\" audioSamplingRate=\"" +
           std::to_string(a->sample_rate) + "\"><AudioChannelConfiguration "
           "schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"" +
           std::to_string(a->channels) + "\"/>" + segment_template(*a) + "</Representation>\n";
    out += "  </AdaptationSet>\n";
  }
  return out + " </Period>\n</MPD>\n";
}

}  // namespace sg
