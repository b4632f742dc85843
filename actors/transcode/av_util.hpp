#pragma once
// Owning handles for libav objects, and the error type of the pipeline.
#include <memory>
#include <stdexcept>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace sg::av {

/// `permanent`: the input itself is at fault (not a video, undecodable), so
/// retrying cannot help. Otherwise the failure may be transient (disk, memory).
struct failure : std::runtime_error {
  failure(const std::string& what, bool permanent) : std::runtime_error(what), permanent(permanent) {}
  bool permanent;
};

struct cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

std::string error_text(int code);
/// Throws a (transient) failure when `code` < 0.
void check(int code, const std::string& what);

struct codec_deleter { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct frame_deleter { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct packet_deleter { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct sws_deleter { void operator()(SwsContext* s) const { sws_freeContext(s); } };
struct swr_deleter { void operator()(SwrContext* s) const { swr_free(&s); } };
struct fifo_deleter { void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); } };
// An input opened on our own I/O context (AVFMT_FLAG_CUSTOM_IO) owns it too.
struct input_deleter {
  void operator()(AVFormatContext* f) const {
    AVIOContext* own = (f->flags & AVFMT_FLAG_CUSTOM_IO) ? f->pb : nullptr;
    avformat_close_input(&f);
    avio_closep(&own);
  }
};
struct output_deleter { void operator()(AVFormatContext* f) const { avformat_free_context(f); } };

using codec_ptr = std::unique_ptr<AVCodecContext, codec_deleter>;
using frame_ptr = std::unique_ptr<AVFrame, frame_deleter>;
using packet_ptr = std::unique_ptr<AVPacket, packet_deleter>;
using sws_ptr = std::unique_ptr<SwsContext, sws_deleter>;
using swr_ptr = std::unique_ptr<SwrContext, swr_deleter>;
using fifo_ptr = std::unique_ptr<AVAudioFifo, fifo_deleter>;
using input_ptr = std::unique_ptr<AVFormatContext, input_deleter>;
using output_ptr = std::unique_ptr<AVFormatContext, output_deleter>;

inline frame_ptr make_frame() { return frame_ptr{av_frame_alloc()}; }
inline packet_ptr make_packet() { return packet_ptr{av_packet_alloc()}; }

}  // namespace sg::av
