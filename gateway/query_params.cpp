#include "gateway/query_params.hpp"

#include "gateway/problem.hpp"
#include "runtime/text.hpp"

namespace sg {

std::optional<std::string> text_param(const httplib::Request& req, const char* name, size_t max_bytes,
                                      httplib::Response& res) {
  auto value = req.get_param_value(name);
  if (value.size() > max_bytes) {
    problem(res, 400, std::string{name} + " is longer than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  if (!text::valid_utf8(value)) {
    problem(res, 400, std::string{name} + " is not UTF-8 text");
    return std::nullopt;
  }
  return value;
}

std::optional<uint32_t> limit_param(const httplib::Request& req, uint32_t fallback, uint32_t most,
                                    httplib::Response& res) {
  if (!req.has_param("limit"))
    return fallback;
  auto n = text::parse_u64(req.get_param_value("limit"));
  if (!n || *n < 1 || *n > most) {
    problem(res, 400, "limit must be between 1 and " + std::to_string(most));
    return std::nullopt;
  }
  return static_cast<uint32_t>(*n);
}

}  // namespace sg
