#pragma once
// The encoders and CMAF muxers of one transcode: one video output per rung,
// one audio output, and the poster.
#include <string>
#include <vector>

#include "actors/transcode/av_util.hpp"
#include "actors/transcode/ladder.hpp"
#include "messages/video.hpp"

namespace sg::av {

/// An H.264 encoder feeding an fMP4 HLS muxer that writes init.mp4 and
/// seg_NNNNN.m4s into `dir`. Frames are scaled to the rung first.
class video_output {
public:
  video_output(const std::string& dir, const rung& r, const ladder_plan& plan,
               const std::string& preset, int segment_seconds);
  ~video_output();
  void encode(const AVFrame* decoded, int64_t pts);  // pts in 1/fps units
  void finish();
  /// The rendition as produced (durations from the muxer, sizes from disk).
  rendition result() const;

private:
  void drain();
  std::string dir_;
  rung rung_;
  ladder_plan plan_;
  codec_ptr enc_;
  output_ptr mux_;
  AVStream* stream_ = nullptr;
  sws_ptr sws_;
  frame_ptr scaled_;
  packet_ptr pkt_;
  bool header_written_ = false;
};

/// AAC-LC, stereo (or mono), encoded once and muxed like the video.
class audio_output {
public:
  audio_output(const std::string& dir, const AVCodecContext* decoder, int segment_seconds);
  ~audio_output();
  void encode(const AVFrame* decoded);
  void finish();
  rendition result() const;

private:
  void encode_fifo(bool final_frame);
  void send(AVFrame* frame);
  std::string dir_;
  codec_ptr enc_;
  output_ptr mux_;
  AVStream* stream_ = nullptr;
  swr_ptr swr_;
  fifo_ptr fifo_;
  packet_ptr pkt_;
  int64_t samples_out_ = 0;
  bool header_written_ = false;
};

/// Writes one frame as a JPEG no larger than width x height.
void write_poster(const std::string& path, const AVFrame* frame, int width, int height);

/// Reads the muxer's own playlist: the real segment durations.
std::vector<double> muxed_segment_durations(const std::string& playlist);

}  // namespace sg::av
