#include "gateway/tus_headers.hpp"

#include <algorithm>
#include <set>

#include "runtime/ids.hpp"

namespace sg::tus {

namespace {
constexpr const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t max_tags = 32;
constexpr size_t max_tag_length = 64;

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos)
      return out;
    start = pos + 1;
  }
}
}  // namespace

std::optional<uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s.size() > 20)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10)
      return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<std::string> base64_decode(const std::string& s) {
  if (s.size() % 4 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(s.size() / 4 * 3);
  for (size_t i = 0; i < s.size(); i += 4) {
    int v[4];
    size_t pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = s[i + k];
      if (c == '=') {
        // Padding only at the very end, at most two.
        if (i + 4 != s.size() || k < 2)
          return std::nullopt;
        ++pad;
        v[k] = 0;
      } else {
        if (pad > 0 || (v[k] = b64_value(c)) < 0)
          return std::nullopt;
      }
    }
    // Bits the padding leaves over must be zero: one text per byte string.
    if ((pad == 1 && (v[2] & 0x3) != 0) || (pad == 2 && (v[1] & 0xf) != 0))
      return std::nullopt;
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2)
      out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1)
      out += static_cast<char>(n & 0xff);
  }
  return out;
}

std::string base64_encode(const std::string& raw) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    uint32_t n = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8) | uint8_t(raw[i + 2]);
    out += b64[n >> 18];
    out += b64[(n >> 12) & 63];
    out += b64[(n >> 6) & 63];
    out += b64[n & 63];
  }
  if (i < raw.size()) {
    uint32_t n = uint8_t(raw[i]) << 16;
    if (i + 1 < raw.size())
      n |= uint8_t(raw[i + 1]) << 8;
    out += b64[n >> 18];
    out += b64[(n >> 12) & 63];
    out += i + 1 < raw.size() ? b64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<metadata> parse_metadata(const std::string& header) {
  metadata out;
  if (trim(header).empty())
    return out;
  std::set<std::string> seen;
  for (const auto& raw_pair : split(header, ',')) {
    auto pair = trim(raw_pair);
    auto space = pair.find(' ');
    auto key = pair.substr(0, space);
    if (key.empty() || !seen.insert(key).second)
      return std::nullopt;
    std::string value;
    if (space != std::string::npos) {
      auto decoded = base64_decode(pair.substr(space + 1));
      if (!decoded)
        return std::nullopt;
      value = std::move(*decoded);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::string metadata_value(const metadata& m, const std::string& key) {
  for (const auto& [k, v] : m)
    if (k == key)
      return v;
  return {};
}

std::optional<checksum_header> parse_checksum(const std::string& header) {
  auto space = header.find(' ');
  if (space == std::string::npos)
    return std::nullopt;
  auto digest = base64_decode(header.substr(space + 1));
  if (!digest || digest->empty())
    return std::nullopt;
  return checksum_header{header.substr(0, space), std::move(*digest)};
}

std::optional<concat_header> parse_concat(const std::string& header) {
  if (header == "partial")
    return concat_header{true, {}};
  const std::string prefix = "final;";
  if (header.rfind(prefix, 0) != 0)
    return std::nullopt;
  concat_header out;
  for (const auto& url : split(trim(header.substr(prefix.size())), ' ')) {
    if (url.empty())
      continue;
    auto id = url.substr(url.find_last_of('/') + 1);
    if (!is_upload_id(id))
      return std::nullopt;
    out.parts.push_back(id);
  }
  if (out.parts.empty())
    return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> parse_tags(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& raw : split(s, ',')) {
    auto tag = trim(raw);
    if (tag.empty())
      continue;
    if (tag.size() > max_tag_length ||
        std::any_of(tag.begin(), tag.end(), [](unsigned char c) { return c < 0x20; }))
      return std::nullopt;
    if (std::find(out.begin(), out.end(), tag) == out.end())
      out.push_back(std::move(tag));
  }
  if (out.size() > max_tags)
    return std::nullopt;
  return out;
}

}  // namespace sg::tus
