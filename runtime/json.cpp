#include "runtime/json.hpp"

namespace sg {

namespace {
struct too_deep {};
}  // namespace

std::optional<nlohmann::json> parse_json(std::string_view text, std::string* why, size_t max_depth) {
  using event = nlohmann::json::parse_event_t;
  // The callback sees each container open with the count of those around it,
  // so the walk stops before building anything deeper than allowed.
  auto bound = [max_depth](int depth, event e, nlohmann::json&) {
    if ((e == event::object_start || e == event::array_start) &&
        static_cast<size_t>(depth) >= max_depth)
      throw too_deep{};
    return true;
  };
  try {
    auto j = nlohmann::json::parse(text.begin(), text.end(), bound, false);
    if (!j.is_discarded())
      return j;
    if (why != nullptr)
      *why = "the body is not well-formed JSON (UTF-8)";
  } catch (const too_deep&) {
    if (why != nullptr)
      *why = "the JSON nests deeper than " + std::to_string(max_depth) + " levels";
  }
  return std::nullopt;
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sg
