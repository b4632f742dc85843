#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace sg {
/// Wall-clock milliseconds since the Unix epoch.
int64_t now_ms();
/// 2025-01-01T00:00:00.000Z
std::string iso8601_ms(int64_t ms);
/// Parses "2025-01-01T00:00:00Z" (seconds and a fraction optional, UTC
/// only); nullopt for anything else.
std::optional<int64_t> parse_iso8601_ms(const std::string& text);
/// RFC 7231 IMF-fixdate, e.g. "Wed, 01 Jan 2025 00:00:00 GMT".
std::string http_date(int64_t ms);
}  // namespace sg
