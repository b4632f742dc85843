#pragma once
// HLS (version 7, fMP4) and DASH (static MPD) texts written from the stored
// renditions. All URLs are relative, so the token in the path carries over.
#include <string>
#include <vector>

#include "messages/video.hpp"

namespace sg {

std::string segment_name(size_t index);  // 0 -> "seg_00001.m4s"
std::string hls_media_playlist(const rendition& r);
std::string hls_master_playlist(const std::vector<rendition>& renditions);
std::string dash_manifest(const std::vector<rendition>& renditions, double duration_s);

}  // namespace sg
