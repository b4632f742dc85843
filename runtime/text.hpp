#pragma once
// Small text helpers shared by every parser of client bytes: one of each,
// each strict (nothing is guessed from a malformed value).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::text {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or values
/// past U+10FFFF). Client text must pass this before it is stored or echoed.
bool valid_utf8(std::string_view s);

/// ASCII letters lowered; other bytes unchanged.
std::string ascii_lower(std::string_view s);

/// Case-insensitive ASCII comparison (HTTP header names and tokens).
bool iequals(std::string_view a, std::string_view b);

/// Leading and trailing spaces and tabs removed.
std::string_view trim(std::string_view s);

/// A non-negative decimal integer without sign, spaces or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);

/// A finite decimal number (digits, one point, an exponent), the whole text.
std::optional<double> parse_double(std::string_view s);

/// A duration of a count and a unit ("90s", "5m", "2h", "1d") in ms, at
/// most about a year.
std::optional<int64_t> parse_duration_ms(std::string_view s);

/// Standard base64 with padding; strict (bits under the padding must be zero,
/// so that every byte string has exactly one text).
std::optional<std::string> base64_decode(std::string_view s);
std::string base64_encode(std::string_view raw);

}  // namespace sg::text
