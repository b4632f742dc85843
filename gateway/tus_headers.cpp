#include "gateway/tus_headers.hpp"

#include <algorithm>
#include <set>

#include "messages/limits.hpp"
#include "runtime/ids.hpp"
#include "runtime/text.hpp"

namespace sg::tus {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos)
      return out;
    start = pos + 1;
  }
}

}  // namespace

std::optional<metadata> parse_metadata(const std::string& header) {
  metadata out;
  if (text::trim(header).empty())
    return out;
  std::set<std::string> seen;
  for (auto raw_pair : split(header, ',')) {
    auto pair = text::trim(raw_pair);
    auto space = pair.find(' ');
    auto key = std::string{pair.substr(0, space)};
    if (key.empty() || !seen.insert(key).second)
      return std::nullopt;
    std::string value;
    if (space != std::string_view::npos) {
      auto decoded = text::base64_decode(pair.substr(space + 1));
      if (!decoded || !text::valid_utf8(*decoded))
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
  auto digest = text::base64_decode(std::string_view{header}.substr(space + 1));
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
  for (auto url : split(text::trim(std::string_view{header}.substr(prefix.size())), ' ')) {
    if (url.empty())
      continue;
    auto id = std::string{url.substr(url.find_last_of('/') + 1)};
    if (!is_upload_id(id) || out.parts.size() == max_concat_parts)
      return std::nullopt;
    out.parts.push_back(id);
  }
  if (out.parts.empty())
    return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> parse_tags(const std::string& s) {
  // The cost stays linear in the input: a list too long to hold all its tags
  // is refused unread, and de-duplication compares against at most that many.
  if (s.size() > limits::tags * (limits::tag_bytes + 8))
    return std::nullopt;
  std::vector<std::string> out;
  for (auto raw : split(s, ',')) {
    auto tag = text::trim(raw);
    if (tag.empty())
      continue;
    if (tag.size() > limits::tag_bytes ||
        std::any_of(tag.begin(), tag.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }) ||
        !text::valid_utf8(tag))
      return std::nullopt;
    if (std::find(out.begin(), out.end(), tag) != out.end())
      continue;
    if (out.size() == limits::tags)
      return std::nullopt;
    out.emplace_back(tag);
  }
  return out;
}

}  // namespace sg::tus
