// libFuzzer target: what the gateway parses from client bytes before any
// service sees them. Each parser must survive any input, and where two pieces
// of code must agree, they are checked against each other:
// - Range sets: accepted ranges lie in the file, never overlap, and never add
//   up to more than the file;
// - the route table's segment matcher and the regular expression it hands
//   httplib match exactly the same paths;
// - UTF-8 validation agrees with nlohmann's strict serializer;
// - a JSON document within the depth bound survives a dump and a re-parse;
// - tus metadata and tags stay within their limits.
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "gateway/byte_ranges.hpp"
#include "gateway/route_table.hpp"
#include "gateway/tus_headers.hpp"
#include "messages/limits.hpp"
#include "runtime/json.hpp"
#include "runtime/text.hpp"

namespace {

const sg::route_table& routes() {
  static const sg::route_table table = [] {
    sg::route_table t;
    for (const char* p : {"/v/{id}/{token}/{file*}", "/api/v1/videos/{id}/playback", "/health/live",
                          "/api/v1/uploads", "/api/v1/uploads/{id}", "/api/v1/videos/{id}/job",
                          "/api/v1/videos/{id}", "/api/v1/auth/me"})
      t.add(sg::route_spec{"GET", p, "api", sg::body_kind::bounded, sg::auth_need::optional, {}});
    return t;
  }();
  return table;
}

void check_ranges(std::string_view header, uint64_t size) {
  auto r = sg::parse_ranges(header, size);
  if (r.outcome != sg::range_request::verdict::partial)
    return;
  uint64_t total = 0;
  for (const auto& b : r.ranges) {
    if (b.length == 0 || b.first >= size || b.length > size - b.first)
      std::abort();
    total += b.length;
  }
  if (r.ranges.size() > sg::max_ranges || total > size)
    std::abort();
}

void check_routes(const std::string& path) {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> out;
    for (const auto& r : routes().routes())
      out.emplace_back(r.regex());
    return out;
  }();
  size_t i = 0;
  std::vector<std::string> got;
  for (const auto& r : routes().routes()) {
    std::smatch want;
    bool matched = std::regex_match(path, want, compiled[i++]);
    if (r.matches(path) != matched || r.captures(path, got) != matched)
      std::abort();
    if (matched && !std::equal(got.begin(), got.end(), want.begin(), want.end(),
                               [](const std::string& a, const std::ssub_match& b) { return a == b.str(); }))
      std::abort();
  }
}

void check_utf8(const std::string& s) {
  bool strict_ok = true;
  try {
    (void) nlohmann::json(s).dump();
  } catch (const nlohmann::json::exception&) {
    strict_ok = false;
  }
  if (strict_ok != sg::text::valid_utf8(s))
    std::abort();
}

void check_json(const std::string& s) {
  auto j = sg::parse_json(s);
  if (!j)
    return;
  auto text = sg::dump_json(*j);
  auto again = sg::parse_json(text);
  if (!again || *again != *j)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  uint64_t file_size = size > 0 ? data[0] * 97u : 0;
  check_ranges(s, file_size);
  check_ranges("bytes=" + s, file_size);
  if (s.size() < 256)
    check_routes(s);
  check_utf8(s);
  check_json(s);
  if (auto tags = sg::tus::parse_tags(s))
    if (tags->size() > sg::limits::tags)
      std::abort();
  (void) sg::tus::parse_metadata(s);
  return 0;
}
