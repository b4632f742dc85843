#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace sg {
/// Wall-clock milliseconds since the Unix epoch.
int64_t now_ms();
/// 2025-01-01T00:00:00.000Z
std::string iso8601_ms(int64_t ms);
/// RFC 3339 date-time ("2025-01-01T00:00:00.000Z", offsets allowed) to Unix
/// ms; nullopt for anything else.
std::optional<int64_t> parse_rfc3339_ms(const std::string& s);
/// RFC 7231 IMF-fixdate, e.g. "Wed, 01 Jan 2025 00:00:00 GMT".
std::string http_date(int64_t ms);
}  // namespace sg
