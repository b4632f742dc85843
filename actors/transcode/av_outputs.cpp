#include "actors/transcode/av_outputs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include "actors/transcode/playlists.hpp"

namespace sg::av {

namespace fs = std::filesystem;

std::string error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

void check(int code, const std::string& what) {
  if (code < 0)
    throw failure(what + ": " + error_text(code), false);
}

namespace {

constexpr const char* muxer_playlist = "muxer.m3u8";

// fMP4 HLS muxing into `dir`: init.mp4, seg_00001.m4s, ... The muxer's own
// playlist only tells us where it cut; ours are written from the results.
output_ptr open_cmaf_muxer(const std::string& dir, const AVCodecContext* enc, AVStream** stream) {
  fs::create_directories(dir);
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, "hls", (dir + "/" + muxer_playlist).c_str()),
        "hls muxer");
  output_ptr mux{raw};
  *stream = avformat_new_stream(raw, nullptr);
  check(avcodec_parameters_from_context((*stream)->codecpar, enc), "stream parameters");
  (*stream)->time_base = enc->time_base;
  return mux;
}

// `cut_after`: seconds after which the next keyframe starts a segment.
void write_cmaf_header(AVFormatContext* mux, const std::string& dir, double cut_after) {
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "hls_time", std::to_string(cut_after).c_str(), 0);
  av_dict_set(&opts, "hls_playlist_type", "vod", 0);
  av_dict_set(&opts, "hls_segment_type", "fmp4", 0);
  av_dict_set(&opts, "hls_fmp4_init_filename", "init.mp4", 0);
  av_dict_set(&opts, "hls_segment_filename", (dir + "/seg_%05d.m4s").c_str(), 0);
  av_dict_set(&opts, "start_number", "1", 0);
  av_dict_set(&opts, "hls_flags", "independent_segments", 0);
  // B-frames make the first picture's presentation time two frames late;
  // negative composition offsets keep video starting at 0 like the audio,
  // so players find no gap to seek over at the start.
  av_dict_set(&opts, "hls_segment_options", "movflags=+negative_cts_offsets", 0);
  int rc = avformat_write_header(mux, &opts);
  std::string unused;
  for (auto* e = av_dict_get(opts, "", nullptr, AV_DICT_IGNORE_SUFFIX); e != nullptr;
       e = av_dict_get(opts, "", e, AV_DICT_IGNORE_SUFFIX))
    unused += std::string(e->key) + " ";
  av_dict_free(&opts);
  check(rc, "write CMAF header");
  if (!unused.empty())
    throw failure("hls muxer ignored options: " + unused, false);
}

void write_packets(AVCodecContext* enc, AVFormatContext* mux, AVStream* st, AVPacket* pkt,
                   int64_t duration) {
  while (true) {
    int rc = avcodec_receive_packet(enc, pkt);
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
      return;
    check(rc, "encode");
    if (pkt->duration == 0)
      pkt->duration = duration;  // libx264 leaves it 0; the muxer wants it
    av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
    pkt->stream_index = st->index;
    check(av_interleaved_write_frame(mux, pkt), "mux");
  }
}

// RFC 6381 codec string from the encoder's SPS (Annex B or avcC extradata).
std::string avc_codecs(const AVCodecContext* enc) {
  const uint8_t* x = enc->extradata;
  int n = enc->extradata_size;
  char buf[32];
  if (n >= 4 && x[0] == 1) {
    std::snprintf(buf, sizeof buf, "avc1.%02X%02X%02X", x[1], x[2], x[3]);
    return buf;
  }
  for (int i = 0; i + 6 < n; ++i) {
    if (x[i] == 0 && x[i + 1] == 0 && x[i + 2] == 1 && (x[i + 3] & 0x1f) == 7) {
      std::snprintf(buf, sizeof buf, "avc1.%02X%02X%02X", x[i + 4], x[i + 5], x[i + 6]);
      return buf;
    }
  }
  return "avc1.640028";
}

// Durations from the muxer, sizes from disk: peak and average bits/s.
void measure(rendition& r, const std::string& dir) {
  r.segments = muxed_segment_durations(dir + "/" + muxer_playlist);
  double total_s = 0;
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    auto bytes = fs::file_size(dir + "/" + segment_name(i));
    total_bytes += bytes;
    total_s += r.segments[i];
    if (r.segments[i] > 0.5)  // a short tail segment would overstate the peak
      r.bandwidth = std::max<int64_t>(r.bandwidth, static_cast<int64_t>(bytes * 8 / r.segments[i]));
  }
  if (total_s > 0)
    r.average_bandwidth = static_cast<int64_t>(total_bytes * 8 / total_s);
  r.bandwidth = std::max(r.bandwidth, r.average_bandwidth);
}

}  // namespace

std::vector<double> muxed_segment_durations(const std::string& playlist) {
  std::ifstream in{playlist};
  if (!in)
    throw failure("the muxer wrote no playlist", false);
  std::vector<double> out;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("#EXTINF:", 0) == 0)
      out.push_back(std::strtod(line.c_str() + 8, nullptr));
  return out;
}

video_output::video_output(const std::string& dir, const rung& r, const ladder_plan& plan,
                           const std::string& preset, int segment_seconds)
  : dir_(dir), rung_(r), plan_(plan), scaled_(make_frame()), pkt_(make_packet()) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (codec == nullptr)
    throw failure("libx264 is not available", false);
  enc_.reset(avcodec_alloc_context3(codec));
  auto* e = enc_.get();
  e->width = r.width;
  e->height = r.height;
  e->pix_fmt = AV_PIX_FMT_YUV420P;
  e->sample_aspect_ratio = AVRational{1, 1};
  e->time_base = AVRational{plan.fps_den, plan.fps_num};
  e->framerate = AVRational{plan.fps_num, plan.fps_den};
  e->gop_size = plan.gop;
  e->bit_rate = r.bitrate;
  e->rc_max_rate = r.bitrate * 107 / 100;
  e->rc_buffer_size = static_cast<int>(r.bitrate * 3 / 2);
  e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(e->priv_data, "preset", preset.c_str(), 0);
  av_opt_set(e->priv_data, "profile", "high", 0);
  // Same keyframes in every rung: exactly one GOP per segment, no scene cuts.
  auto params = "keyint=" + std::to_string(plan.gop) + ":min-keyint=" + std::to_string(plan.gop) +
                ":scenecut=0:open-gop=0";
  av_opt_set(e->priv_data, "x264-params", params.c_str(), 0);
  // The same size and settings fail the same way again: not worth a retry
  // (in a worker, usually its memory limit).
  if (int rc = avcodec_open2(e, codec, nullptr); rc < 0)
    throw failure("the H.264 encoder cannot start at " + std::to_string(r.width) + "x" +
                    std::to_string(r.height) + " (" + error_text(rc) + "; memory limit?)",
                  true);
  mux_ = open_cmaf_muxer(dir, e, &stream_);
  // Video keyframes come exactly one segment apart, so any threshold a little
  // under the segment length cuts at each of them and nowhere else.
  write_cmaf_header(mux_.get(), dir, segment_seconds - 0.25);
  header_written_ = true;
  scaled_->format = AV_PIX_FMT_YUV420P;
  scaled_->width = r.width;
  scaled_->height = r.height;
  check(av_frame_get_buffer(scaled_.get(), 0), "frame buffer");
}

video_output::~video_output() {
  if (header_written_)
    av_write_trailer(mux_.get());  // closes the files of an abandoned job
}

void video_output::encode(const AVFrame* in, int64_t pts) {
  if (in->width == rung_.width && in->height == rung_.height && in->format == AV_PIX_FMT_YUV420P) {
    // The source's own size: hand the decoded picture over, no copy.
    frame_ptr same{av_frame_clone(in)};
    same->pts = pts;
    same->pict_type = AV_PICTURE_TYPE_NONE;
    check(avcodec_send_frame(enc_.get(), same.get()), "encode video");
    drain();
    return;
  }
  sws_.reset(sws_getCachedContext(sws_.release(), in->width, in->height,
                                  static_cast<AVPixelFormat>(in->format), rung_.width,
                                  rung_.height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr,
                                  nullptr, nullptr));
  if (!sws_)
    throw failure("unsupported pixel format", true);
  check(av_frame_make_writable(scaled_.get()), "frame");
  sws_scale(sws_.get(), in->data, in->linesize, 0, in->height, scaled_->data, scaled_->linesize);
  scaled_->pts = pts;
  check(avcodec_send_frame(enc_.get(), scaled_.get()), "encode video");
  drain();
}

void video_output::drain() {
  write_packets(enc_.get(), mux_.get(), stream_, pkt_.get(), 1);
}

void video_output::finish() {
  check(avcodec_send_frame(enc_.get(), nullptr), "flush video");
  drain();
  header_written_ = false;
  check(av_write_trailer(mux_.get()), "finish video");
}

rendition video_output::result() const {
  rendition r;
  r.name = rung_.name;
  r.kind = "video";
  r.width = rung_.width;
  r.height = rung_.height;
  r.fps_num = plan_.fps_num;
  r.fps_den = plan_.fps_den;
  r.codecs = avc_codecs(enc_.get());
  measure(r, dir_);
  return r;
}

audio_output::audio_output(const std::string& dir, const AVCodecContext* dec, int segment_seconds)
  : dir_(dir), pkt_(make_packet()) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  enc_.reset(avcodec_alloc_context3(codec));
  auto* e = enc_.get();
  e->sample_fmt = AV_SAMPLE_FMT_FLTP;
  e->sample_rate = (dec->sample_rate == 44100 || dec->sample_rate == 48000) ? dec->sample_rate : 48000;
  av_channel_layout_default(&e->ch_layout, std::min(2, std::max(1, dec->ch_layout.nb_channels)));
  e->bit_rate = e->ch_layout.nb_channels * 64000;
  e->time_base = AVRational{1, e->sample_rate};
  e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  check(avcodec_open2(e, codec, nullptr), "open aac");
  SwrContext* swr = nullptr;
  check(swr_alloc_set_opts2(&swr, &e->ch_layout, e->sample_fmt, e->sample_rate, const_cast<AVChannelLayout*>(&dec->ch_layout),
                            dec->sample_fmt, dec->sample_rate, 0, nullptr),
        "resampler");
  swr_.reset(swr);
  check(swr_init(swr), "resampler");
  fifo_.reset(av_audio_fifo_alloc(e->sample_fmt, e->ch_layout.nb_channels, e->frame_size * 4));
  mux_ = open_cmaf_muxer(dir, e, &stream_);
  write_cmaf_header(mux_.get(), dir, segment_seconds);  // every packet is a sync point
  header_written_ = true;
}

audio_output::~audio_output() {
  if (header_written_)
    av_write_trailer(mux_.get());
}

void audio_output::encode(const AVFrame* in) {
  int room = swr_get_out_samples(swr_.get(), in ? in->nb_samples : 0);
  if (room <= 0)
    return;
  uint8_t** buf = nullptr;
  check(av_samples_alloc_array_and_samples(&buf, nullptr, enc_->ch_layout.nb_channels, room,
                                           enc_->sample_fmt, 0),
        "audio buffer");
  int n = swr_convert(swr_.get(), buf, room, in ? const_cast<const uint8_t**>(in->extended_data) : nullptr,
                      in ? in->nb_samples : 0);
  if (n > 0)
    av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(buf), n);
  av_freep(&buf[0]);
  av_freep(&buf);
  check(n, "resample");
  encode_fifo(false);
}

void audio_output::encode_fifo(bool final_frame) {
  const int size = enc_->frame_size;
  while (av_audio_fifo_size(fifo_.get()) >= size ||
         (final_frame && av_audio_fifo_size(fifo_.get()) > 0)) {
    int n = std::min(size, av_audio_fifo_size(fifo_.get()));
    auto frame = make_frame();
    frame->nb_samples = n;
    frame->format = enc_->sample_fmt;
    frame->sample_rate = enc_->sample_rate;
    check(av_channel_layout_copy(&frame->ch_layout, &enc_->ch_layout), "layout");
    check(av_frame_get_buffer(frame.get(), 0), "audio frame");
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->data), n);
    frame->pts = samples_out_;
    samples_out_ += n;
    send(frame.get());
  }
}

void audio_output::send(AVFrame* frame) {
  check(avcodec_send_frame(enc_.get(), frame), "encode audio");
  write_packets(enc_.get(), mux_.get(), stream_, pkt_.get(), enc_->frame_size);
}

void audio_output::finish() {
  encode(nullptr);  // what the resampler still holds
  encode_fifo(true);
  send(nullptr);
  header_written_ = false;
  check(av_write_trailer(mux_.get()), "finish audio");
}

rendition audio_output::result() const {
  rendition r;
  r.name = "audio";
  r.kind = "audio";
  r.sample_rate = enc_->sample_rate;
  r.channels = enc_->ch_layout.nb_channels;
  r.codecs = "mp4a.40.2";
  measure(r, dir_);
  return r;
}

void write_poster(const std::string& path, const AVFrame* in, int width, int height) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  codec_ptr enc{avcodec_alloc_context3(codec)};
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc->time_base = AVRational{1, 25};
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * 3;
  check(avcodec_open2(enc.get(), codec, nullptr), "open mjpeg");
  sws_ptr sws{sws_getContext(in->width, in->height, static_cast<AVPixelFormat>(in->format), width,
                             height, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nullptr, nullptr, nullptr)};
  auto out = make_frame();
  out->format = AV_PIX_FMT_YUVJ420P;
  out->width = width;
  out->height = height;
  out->quality = enc->global_quality;
  out->pts = 0;
  check(av_frame_get_buffer(out.get(), 0), "poster frame");
  sws_scale(sws.get(), in->data, in->linesize, 0, in->height, out->data, out->linesize);
  check(avcodec_send_frame(enc.get(), out.get()), "encode poster");
  check(avcodec_send_frame(enc.get(), nullptr), "flush poster");
  auto pkt = make_packet();
  check(avcodec_receive_packet(enc.get(), pkt.get()), "poster");
  std::ofstream file{path, std::ios::binary};
  file.write(reinterpret_cast<const char*>(pkt->data), pkt->size);
  if (!file)
    throw failure("cannot write the poster", false);
}

}  // namespace sg::av
