#include "messages/errors.hpp"

#include <caf/message.hpp>

namespace sg {

std::string to_string(errc x) {
  switch (x) {
    case errc::bad_request: return "bad_request";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::offset_mismatch: return "offset_mismatch";
    case errc::gone: return "gone";
    case errc::too_large: return "too_large";
    case errc::unsupported_media_type: return "unsupported_media_type";
    case errc::checksum_mismatch: return "checksum_mismatch";
    case errc::forbidden: return "forbidden";
    case errc::unavailable: return "unavailable";
    case errc::internal: return "internal";
    case errc::unauthorized: return "unauthorized";
    case errc::insufficient_storage: return "insufficient_storage";
  }
  return "unknown";
}

std::string error_detail(const caf::error& e) {
  const auto& ctx = e.context();
  if (e.category() == error_category && ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

}  // namespace sg
