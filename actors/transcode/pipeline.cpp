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

av::codec_ptr open_decoder(const AVStream* st, const source_limits& limits) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr)
    return nullptr;
  av::codec_ptr dec{avcodec_alloc_context3(codec)};
  if (avcodec_parameters_to_context(dec.get(), st->codecpar) < 0)
    return nullptr;
  dec->pkt_timebase = st->time_base;
  dec->thread_count = 0;
  dec->max_pixels = limits.max_pixels;  // a frame larger than its header said is refused
  if (avcodec_open2(dec.get(), codec, nullptr) < 0)
    return nullptr;
  return dec;
}

// Demuxers may open more files (playlists, references, image sequences): the
// source is the only file a job may read, so every such open is refused.
int refuse_open(AVFormatContext*, AVIOContext**, const char* url, int, AVDictionary**) {
  av_log(nullptr, AV_LOG_WARNING, "refused to open %s: a source is one file\n", url);
  return AVERROR(EPERM);
}

// Opens exactly `path`, over the file protocol only, with a demuxer from
// accepted_containers (probed first, so that a refusal names what it found).
av::input_ptr open_container(const std::string& path, const source_limits& limits) {
  AVIOContext* pb = nullptr;
  AVDictionary* io_opts = nullptr;
  av_dict_set(&io_opts, "protocol_whitelist", "file", 0);
  int rc = avio_open2(&pb, ("file:" + path).c_str(), AVIO_FLAG_READ, nullptr, &io_opts);
  av_dict_free(&io_opts);
  if (rc < 0)
    throw failure("cannot open the source: " + av::error_text(rc), false);
  const AVInputFormat* fmt = nullptr;
  if (av_probe_input_buffer2(pb, &fmt, path.c_str(), nullptr, 0, 0) < 0 || fmt == nullptr) {
    avio_closep(&pb);
    throw failure("not a media file this server can read", true);
  }
  if (av_match_list(fmt->name, accepted_containers, ',') <= 0) {
    avio_closep(&pb);
    throw failure(std::string{"the container '"} + fmt->name +
                    "' is not accepted: upload MP4/MOV, Matroska/WebM, AVI, MPEG-TS, FLV or MXF",
                  true);
  }
  AVFormatContext* raw = avformat_alloc_context();
  raw->pb = pb;
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  raw->io_open = refuse_open;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "format_whitelist", accepted_containers, 0);
  av_dict_set(&opts, "enable_drefs", "0", 0);  // mov: no data references to other files
  av_dict_set_int(&opts, "max_streams", limits.max_streams, 0);
  rc = avformat_open_input(&raw, path.c_str(), fmt, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    avio_closep(&pb);  // avformat_open_input freed the context, not our I/O
    throw failure("not a media file this server can read: " + av::error_text(rc), true);
  }
  return av::input_ptr{raw};
}

void check_picture_size(const AVCodecParameters* par, const source_limits& limits) {
  auto refuse = [](const std::string& what) { throw failure(what, true); };
  if (par->width > limits.max_width || par->height > limits.max_height)
    refuse("the picture is " + std::to_string(par->width) + "x" + std::to_string(par->height) +
           "; the limit is " + std::to_string(limits.max_width) + "x" +
           std::to_string(limits.max_height));
  if (int64_t{par->width} * par->height > limits.max_pixels)
    refuse("the picture has " + std::to_string(int64_t{par->width} * par->height) +
           " pixels; the limit is " + std::to_string(limits.max_pixels));
}

// Reads the stream parameters, decoding no picture larger than allowed.
void find_streams(AVFormatContext* fmt, const source_limits& limits) {
  if (fmt->nb_streams > static_cast<unsigned>(limits.max_streams))
    throw failure("the file has " + std::to_string(fmt->nb_streams) + " streams; the limit is " +
                    std::to_string(limits.max_streams),
                  true);
  // What the headers say is checked before anything is decoded.
  for (unsigned i = 0; i < fmt->nb_streams; ++i)
    if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
      check_picture_size(fmt->streams[i]->codecpar, limits);
  std::vector<AVDictionary*> per_stream(fmt->nb_streams, nullptr);
  for (auto& o : per_stream)
    av_dict_set_int(&o, "max_pixels", limits.max_pixels, 0);
  int rc = avformat_find_stream_info(fmt, per_stream.data());
  for (auto& o : per_stream)
    av_dict_free(&o);
  if (rc < 0)
    throw failure("cannot read the file's streams", true);
}

void check_limits(const input& in, const source_limits& limits) {
  auto refuse = [](const std::string& what) { throw failure(what, true); };
  check_picture_size(in.vstream()->codecpar, limits);
  auto fr = av_guess_frame_rate(in.fmt.get(), in.vstream(), nullptr);
  if (fr.num > 0 && fr.den > 0 && av_q2d(fr) > limits.max_fps)
    refuse("the frame rate is " + std::to_string(av_q2d(fr)) + " fps; the limit is " +
           std::to_string(limits.max_fps));
  if (in.fmt->duration > 0 && in.fmt->duration / (AV_TIME_BASE / 1000) > limits.max_duration_ms)
    refuse("the file lasts " + std::to_string(in.fmt->duration / AV_TIME_BASE) + " s; the limit is " +
           std::to_string(limits.max_duration_ms / 1000) + " s");
}

input open_input(const std::string& path, const source_limits& limits) {
  input in;
  in.fmt = open_container(path, limits);
  auto* raw = in.fmt.get();
  find_streams(raw, limits);
  in.video = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (in.video < 0 || (raw->streams[in.video]->disposition & AV_DISPOSITION_ATTACHED_PIC))
    throw failure("the file has no video stream", true);
  const auto* par = in.vstream()->codecpar;
  if (par->width <= 0 || par->height <= 0)
    throw failure("the video's picture size cannot be read (a broken file, or a picture over the "
                  "limit of " + std::to_string(limits.max_pixels) + " pixels)",
                  true);
  check_limits(in, limits);
  in.vdec = open_decoder(in.vstream(), limits);
  if (!in.vdec)
    throw failure(std::string{"no decoder for video codec "} + avcodec_get_name(par->codec_id), true);
  in.audio = av_find_best_stream(raw, AVMEDIA_TYPE_AUDIO, -1, in.video, nullptr, 0);
  if (in.audio >= 0) {
    in.adec = open_decoder(raw->streams[in.audio], limits);
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

// Under the worker's memory limit an allocation that fails is the file's
// doing (its frames are that large), so retrying cannot help.
failure out_of_memory() {
  return failure("a frame does not fit in the worker's memory limit", true);
}

// Decodes every packet of one stream into frames handed to `use`.
template <class F>
int decode(AVCodecContext* dec, const AVPacket* pkt, AVFrame* frame, F&& use) {
  int rc = avcodec_send_packet(dec, pkt);
  if (rc == AVERROR(ENOMEM))
    throw out_of_memory();
  if (rc < 0 && rc != AVERROR_EOF)
    return rc;  // a corrupt packet: skipped, counted by the caller
  while ((rc = avcodec_receive_frame(dec, frame)) >= 0) {
    use(frame);
    av_frame_unref(frame);
  }
  if (rc == AVERROR(ENOMEM))
    throw out_of_memory();
  return rc == AVERROR(EAGAIN) || rc == AVERROR_EOF ? 0 : rc;
}

}  // namespace

const char* const accepted_containers = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,mxf";

source_info probe_source(const std::string& path, const source_limits& limits) {
  return describe(open_input(path, limits));
}

transcode_result transcode(const transcode_spec& spec, const progress_fn& progress) {
  auto in = open_input(spec.source, spec.limits);
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
    // The header may have lied about the size or the length.
    if (f->width > spec.limits.max_width || f->height > spec.limits.max_height)
      throw failure("a frame is " + std::to_string(f->width) + "x" + std::to_string(f->height) +
                      "; the limit is " + std::to_string(spec.limits.max_width) + "x" +
                      std::to_string(spec.limits.max_height),
                    true);
    if (at * 1000 > static_cast<double>(spec.limits.max_duration_ms))
      throw failure("the video runs past the limit of " +
                      std::to_string(spec.limits.max_duration_ms / 1000) + " s",
                    true);
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
