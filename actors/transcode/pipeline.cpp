#include "actors/transcode/pipeline.hpp"

#include <filesystem>
#include <fstream>
#include <memory>

#include "actors/transcode/av_outputs.hpp"
#include "actors/transcode/av_util.hpp"
#include "actors/transcode/ladder.hpp"
#include "actors/transcode/playlists.hpp"

namespace sg {

namespace {

namespace fs = std::filesystem;
using av::check;
using av::failure;

struct input {
  av::input_ptr fmt;
  int video = -1;
  int audio = -1;
  av::codec_ptr vdec;
  av::codec_ptr adec;
  AVStream* vstream() const { return fmt->streams[video]; }
};

av::codec_ptr open_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr)
    return nullptr;
  av::codec_ptr dec{avcodec_alloc_context3(codec)};
  if (avcodec_parameters_to_context(dec.get(), st->codecpar) < 0)
    return nullptr;
  dec->pkt_timebase = st->time_base;
  dec->thread_count = 0;
  if (avcodec_open2(dec.get(), codec, nullptr) < 0)
    return nullptr;
  return dec;
}

input open_input(const std::string& path) {
  input in;
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0)
    throw failure("not a media file this server can read", true);
  in.fmt.reset(raw);
  if (avformat_find_stream_info(raw, nullptr) < 0)
    throw failure("cannot read the file's streams", true);
  in.video = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (in.video < 0 || (raw->streams[in.video]->disposition & AV_DISPOSITION_ATTACHED_PIC))
    throw failure("the file has no video stream", true);
  const auto* par = in.vstream()->codecpar;
  if (par->width <= 0 || par->height <= 0)
    throw failure("the video stream has no picture size", true);
  in.vdec = open_decoder(in.vstream());
  if (!in.vdec)
    throw failure(std::string{"no decoder for video codec "} + avcodec_get_name(par->codec_id), true);
  in.audio = av_find_best_stream(raw, AVMEDIA_TYPE_AUDIO, -1, in.video, nullptr, 0);
  if (in.audio >= 0) {
    in.adec = open_decoder(raw->streams[in.audio]);
    if (!in.adec || in.adec->ch_layout.nb_channels <= 0)
      in.audio = -1;  // an undecodable soundtrack: publish the picture alone
  }
  return in;
}

source_info describe(const input& in) {
  source_info s;
  s.container = in.fmt->iformat->name;
  const auto* par = in.vstream()->codecpar;
  s.video_codec = avcodec_get_name(par->codec_id);
  if (in.audio >= 0)
    s.audio_codec = avcodec_get_name(in.fmt->streams[in.audio]->codecpar->codec_id);
  s.width = par->width;
  s.height = par->height;
  auto fr = av_guess_frame_rate(in.fmt.get(), in.vstream(), nullptr);
  s.fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
  if (in.fmt->duration > 0)
    s.duration_ms = in.fmt->duration / (AV_TIME_BASE / 1000);
  else if (in.vstream()->duration > 0)
    s.duration_ms = static_cast<int64_t>(in.vstream()->duration * av_q2d(in.vstream()->time_base) * 1000);
  return s;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
  if (!out)
    throw failure("cannot write " + path, false);
}

// Decodes every packet of one stream into frames handed to `use`.
template <class F>
int decode(AVCodecContext* dec, const AVPacket* pkt, AVFrame* frame, F&& use) {
  int rc = avcodec_send_packet(dec, pkt);
  if (rc < 0 && rc != AVERROR_EOF)
    return rc;  // a corrupt packet: skipped, counted by the caller
  while ((rc = avcodec_receive_frame(dec, frame)) >= 0) {
    use(frame);
    av_frame_unref(frame);
  }
  return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
}

}  // namespace

source_info probe_source(const std::string& path) {
  return describe(open_input(path));
}

transcode_result transcode(const transcode_spec& spec, const progress_fn& progress) {
  av_log_set_level(AV_LOG_ERROR);
  auto in = open_input(spec.source);
  transcode_result result;
  result.source = describe(in);
  auto fr = av_guess_frame_rate(in.fmt.get(), in.vstream(), nullptr);
  auto plan = plan_ladder(result.source.width, result.source.height, fr.num, fr.den,
                          spec.segment_seconds, spec.heights);
  fs::create_directories(spec.out_dir);
  std::vector<std::unique_ptr<av::video_output>> outputs;
  for (const auto& r : plan.rungs)
    outputs.push_back(std::make_unique<av::video_output>(spec.out_dir + "/" + r.name, r, plan,
                                                         spec.preset, spec.segment_seconds));
  std::unique_ptr<av::audio_output> audio;
  if (in.audio >= 0)
    audio = std::make_unique<av::audio_output>(spec.out_dir + "/audio", in.adec.get(),
                                               spec.segment_seconds);

  const AVRational out_tb{plan.fps_den, plan.fps_num};
  const double duration_s = result.source.duration_ms / 1000.0;
  const double poster_at = std::min(2.0, duration_s / 3);
  int64_t video_start = AV_NOPTS_VALUE;
  int64_t decoded = 0;
  int64_t encoded = 0;
  int64_t last_pts = -1;
  int bad_packets = 0;
  double reported = -1;
  av::frame_ptr first_frame;
  bool poster_done = false;

  auto on_video = [&](AVFrame* f) {
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE)
      ts = decoded;  // no timestamps at all: frame count in stream units
    if (video_start == AV_NOPTS_VALUE)
      video_start = ts;
    if (decoded++ % plan.frame_step != 0)
      return;
    double at = (ts - video_start) * av_q2d(in.vstream()->time_base);
    int64_t pts = av_rescale_q(ts - video_start, in.vstream()->time_base, out_tb);
    if (pts <= last_pts)
      pts = last_pts + 1;
    last_pts = pts;
    for (auto& o : outputs)
      o->encode(f, pts);
    ++encoded;
    if (!first_frame)
      first_frame.reset(av_frame_clone(f));
    if (!poster_done && at >= poster_at) {
      av::write_poster(spec.out_dir + "/poster.jpg", f, plan.rungs.front().width,
                       plan.rungs.front().height);
      poster_done = true;
    }
    double fraction = duration_s > 0 ? std::min(0.99, at / duration_s) : 0;
    if (fraction - reported >= 0.01 || encoded % 30 == 0) {
      reported = fraction;
      if (!progress(fraction))
        throw av::cancelled{};
    }
  };
  auto on_audio = [&](AVFrame* f) { audio->encode(f); };

  auto pkt = av::make_packet();
  auto frame = av::make_frame();
  int rc;
  while ((rc = av_read_frame(in.fmt.get(), pkt.get())) >= 0) {
    if (pkt->stream_index == in.video) {
      if (decode(in.vdec.get(), pkt.get(), frame.get(), on_video) < 0)
        ++bad_packets;
    } else if (audio && pkt->stream_index == in.audio) {
      decode(in.adec.get(), pkt.get(), frame.get(), on_audio);
    }
    av_packet_unref(pkt.get());
  }
  if (rc != AVERROR_EOF)
    throw failure("reading the file failed: " + av::error_text(rc), true);
  decode(in.vdec.get(), nullptr, frame.get(), on_video);
  if (audio)
    decode(in.adec.get(), nullptr, frame.get(), on_audio);
  if (encoded == 0)
    throw failure("no decodable video frames (" + std::to_string(bad_packets) + " bad packets)", true);
  if (!poster_done)
    av::write_poster(spec.out_dir + "/poster.jpg", first_frame.get(), plan.rungs.front().width,
                     plan.rungs.front().height);

  for (auto& o : outputs) {
    o->finish();
    result.renditions.push_back(o->result());
  }
  if (audio) {
    audio->finish();
    result.renditions.push_back(audio->result());
  }
  for (const auto& r : result.renditions) {
    write_text(spec.out_dir + "/" + r.name + "/index.m3u8", hls_media_playlist(r));
    fs::remove(spec.out_dir + "/" + r.name + "/muxer.m3u8");
  }
  for (double d : result.renditions.front().segments)
    result.duration_s += d;
  write_text(spec.out_dir + "/master.m3u8", hls_master_playlist(result.renditions));
  write_text(spec.out_dir + "/manifest.mpd", dash_manifest(result.renditions, result.duration_s));
  progress(1.0);
  return result;
}

}  // namespace sg
