#pragma once
// Parsing of the tus 1.0.0 request headers. Every function is strict: it
// returns nothing rather than guess at a malformed value.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg::tus {

inline constexpr const char* version = "1.0.0";
inline constexpr const char* extensions =
  "creation,creation-with-upload,termination,checksum,expiration,concatenation";
inline constexpr const char* checksum_algorithms = "sha1,sha256,md5";
inline constexpr const char* offset_content_type = "application/offset+octet-stream";

/// Upload-Metadata: "key base64,key2 base64,key3" -> decoded pairs. Keys are
/// unique, non-empty and free of spaces and commas; values are UTF-8 text
/// (every key we read names text), so a value of other bytes is refused.
using metadata = std::vector<std::pair<std::string, std::string>>;
std::optional<metadata> parse_metadata(const std::string& header);
std::string metadata_value(const metadata& m, const std::string& key);

/// Upload-Checksum: "<algorithm> <base64 digest>".
struct checksum_header {
  std::string algorithm;
  std::string digest;  // raw bytes
};
std::optional<checksum_header> parse_checksum(const std::string& header);

/// Upload-Concat: "partial" or "final;<url> <url>..." (URLs end in upload
/// ids; at most max_concat_parts of them).
inline constexpr size_t max_concat_parts = 256;
struct concat_header {
  bool partial = false;
  std::vector<std::string> parts;
};
std::optional<concat_header> parse_concat(const std::string& header);

/// Comma-separated tags, trimmed, de-duplicated; empty ones dropped. None if
/// too many or too long, checked before any other work.
std::optional<std::vector<std::string>> parse_tags(const std::string& s);

}  // namespace sg::tus
