#pragma once
// Query parameters read as an attacker may send them: bounded, UTF-8,
// in range; a bad one is answered 400 here and the caller stops.
#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>

namespace sg {

/// The parameter's text (empty when absent), at most `max_bytes` of UTF-8.
std::optional<std::string> text_param(const httplib::Request& req, const char* name, size_t max_bytes,
                                      httplib::Response& res);

/// `limit`: `fallback` when absent, else a whole number from 1 to `most`.
std::optional<uint32_t> limit_param(const httplib::Request& req, uint32_t fallback, uint32_t most,
                                    httplib::Response& res);

}  // namespace sg
