#pragma once
// Ids are generated here and validated before any lookup; request data never
// becomes a file name.
#include <string>

namespace sg {
/// 32 hex characters (128 random bits): an upload id is a capability.
std::string new_upload_id();
/// 16 hex characters (64 random bits).
std::string new_video_id();
bool is_upload_id(const std::string& s);
bool is_video_id(const std::string& s);
/// Random hex of `bytes` random bytes (request ids and the like).
std::string random_hex(size_t bytes);
}  // namespace sg
