#pragma once
// JSON to and from the outside world. Parsing is bounded in nesting depth (a
// deep document overflows the stack of any recursive walk over it, dump()
// among them), and dumping never throws on invalid UTF-8 (such bytes are
// replaced), so client text can always be echoed in an answer or a log.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sg {

/// Deep enough for every document we accept (EIP-712 typed data is 4 levels).
constexpr size_t max_json_depth = 32;

/// The document, or nothing with the reason in `why` (malformed, not UTF-8,
/// or nested deeper than `max_depth`).
std::optional<nlohmann::json> parse_json(std::string_view text, std::string* why = nullptr,
                                         size_t max_depth = max_json_depth);

/// Compact text; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
std::string dump_json(const nlohmann::json& j);

}  // namespace sg
