#pragma once
#include <cstdint>
#include <string>

namespace sg {
/// Wall-clock milliseconds since the Unix epoch.
int64_t now_ms();
/// 2025-01-01T00:00:00.000Z
std::string iso8601_ms(int64_t ms);
/// RFC 7231 IMF-fixdate, e.g. "Wed, 01 Jan 2025 00:00:00 GMT".
std::string http_date(int64_t ms);
}  // namespace sg
