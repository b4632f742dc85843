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

/// A non-negative decimal integer without sign, spaces or overflow.
std::optional<uint64_t> parse_u64(const std::string& s);

std::optional<std::string> base64_decode(const std::string& s);
std::string base64_encode(const std::string& raw);

/// Upload-Metadata: "key base64,key2 base64,key3" -> decoded pairs. Keys are
/// unique, non-empty and free of spaces and commas.
using metadata = std::vector<std::pair<std::string, std::string>>;
std::optional<metadata> parse_metadata(const std::string& header);
std::string metadata_value(const metadata& m, const std::string& key);

/// Upload-Checksum: "<algorithm> <base64 digest>".
struct checksum_header {
  std::string algorithm;
  std::string digest;  // raw bytes
};
std::optional<checksum_header> parse_checksum(const std::string& header);

/// Upload-Concat: "partial" or "final;<url> <url>..." (URLs end in upload ids).
struct concat_header {
  bool partial = false;
  std::vector<std::string> parts;
};
std::optional<concat_header> parse_concat(const std::string& header);

/// Comma-separated tags, trimmed; empty ones dropped. None if too many/long.
std::optional<std::vector<std::string>> parse_tags(const std::string& s);

}  // namespace sg::tus
