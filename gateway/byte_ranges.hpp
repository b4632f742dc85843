#pragma once
// The Range header of a GET (RFC 9110 §14), resolved against a file's size.
// A client asks for what a player needs; a set built to amplify (hundreds of
// ranges, overlaps, more bytes than the file) is refused, as nginx does.
#include <cstdint>
#include <string_view>
#include <vector>

namespace sg {

struct byte_range {
  uint64_t first = 0;
  uint64_t length = 0;
};

struct range_request {
  enum class verdict { whole, partial, unsatisfiable } outcome = verdict::whole;
  std::vector<byte_range> ranges;  // when partial, in the order asked
};

/// At most this many ranges in one request.
constexpr size_t max_ranges = 8;

/// "bytes=0-99,200-", "bytes=-500"... A missing header means the whole file;
/// a malformed one, an unknown unit, too many ranges, overlapping ranges, a
/// set longer than the file, or ranges all past the end are unsatisfiable.
range_request parse_ranges(std::string_view header, uint64_t size);

}  // namespace sg
