#pragma once
// The limits of what a video carries, in one place: the gateway refuses what
// breaks them (400), and the stores may trust what reaches them.
#include <cstddef>

namespace sg::limits {

inline constexpr size_t title_bytes = 300;         // also a filename's
inline constexpr size_t description_bytes = 10000;
inline constexpr size_t tags = 32;
inline constexpr size_t tag_bytes = 64;
inline constexpr size_t gate_rules = 16;

// The catalogue's.
inline constexpr size_t slug_bytes = 64;
inline constexpr size_t category_name_bytes = 100;
inline constexpr size_t category_description_bytes = 1000;
inline constexpr size_t playlist_videos = 500;

}  // namespace sg::limits
