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

int http_status(errc x) {
  switch (x) {
    case errc::bad_request: return 400;
    case errc::not_found: return 404;
    case errc::conflict: return 409;
    case errc::offset_mismatch: return 409;
    case errc::gone: return 410;
    case errc::too_large: return 413;
    case errc::unsupported_media_type: return 415;
    case errc::checksum_mismatch: return 460;
    case errc::forbidden: return 403;
    case errc::unavailable: return 503;
    case errc::internal: return 500;
    case errc::unauthorized: return 401;
    case errc::insufficient_storage: return 507;
  }
  return 500;
}

bool is_ours(const caf::error& e) {
  return e && e.category() == caf::atom("streamgate");
}

std::string error_detail(const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

}  // namespace sg
