#include "gateway/byte_ranges.hpp"

#include <algorithm>

#include "runtime/text.hpp"

namespace sg {

namespace {

using verdict = range_request::verdict;

range_request refused() {
  return {verdict::unsatisfiable, {}};
}

// One "a-b", "a-" or "-n" against `size`; false when malformed. A range that
// starts past the end (or an empty suffix) is skipped: it is unsatisfiable.
bool resolve(std::string_view spec, uint64_t size, std::vector<byte_range>& out) {
  auto dash = spec.find('-');
  if (dash == std::string_view::npos)
    return false;
  auto first_text = spec.substr(0, dash);
  auto last_text = spec.substr(dash + 1);
  if (first_text.empty()) {
    auto suffix = text::parse_u64(last_text);
    if (!suffix)
      return false;
    if (*suffix > 0 && size > 0)
      out.push_back({size - std::min(*suffix, size), std::min(*suffix, size)});
    return true;
  }
  auto first = text::parse_u64(first_text);
  if (!first)
    return false;
  uint64_t last = UINT64_MAX;
  if (!last_text.empty()) {
    auto l = text::parse_u64(last_text);
    if (!l || *l < *first)
      return false;
    last = *l;
  }
  if (*first < size)
    out.push_back({*first, std::min(last, size - 1) - *first + 1});
  return true;
}

}  // namespace

range_request parse_ranges(std::string_view header, uint64_t size) {
  if (header.empty())
    return {};
  constexpr std::string_view unit = "bytes=";
  if (header.size() < unit.size() || !text::iequals(header.substr(0, unit.size()), unit))
    return refused();
  std::vector<byte_range> ranges;
  size_t specs = 0;
  auto rest = header.substr(unit.size());
  while (true) {
    auto comma = rest.find(',');
    auto spec = text::trim(rest.substr(0, comma));
    if (++specs > max_ranges || !resolve(spec, size, ranges))
      return refused();
    if (comma == std::string_view::npos)
      break;
    rest = rest.substr(comma + 1);
  }
  if (ranges.empty())
    return refused();
  // No byte twice, and never more bytes than the file holds.
  auto sorted = ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](const byte_range& a, const byte_range& b) { return a.first < b.first; });
  uint64_t total = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].first < sorted[i - 1].first + sorted[i - 1].length)
      return refused();
    total += sorted[i].length;
  }
  if (total > size)
    return refused();
  return {verdict::partial, std::move(ranges)};
}

}  // namespace sg
