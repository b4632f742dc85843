#pragma once
// Ids are generated here and validated before any lookup; request data never
// becomes a file name.
#include <string>
#include <string_view>

namespace sg {
/// 32 hex characters (128 random bits): an upload id is a capability.
std::string new_upload_id();
/// On a cluster: the member's 8-hex tag, then 96 random bits.
std::string new_upload_id(const std::string& tag);
/// A member's tag in the ids it makes (8 hex characters).
std::string id_tag(std::string_view member_id);
/// 16 hex characters (64 random bits).
std::string new_video_id();
bool is_upload_id(const std::string& s);
bool is_video_id(const std::string& s);
/// Random hex of `bytes` random bytes (request ids and the like).
std::string random_hex(size_t bytes);
}  // namespace sg
