#pragma once
// Our error codes travel as caf::error (category "streamgate"); the gateway maps
// each one to an HTTP status, so actors never speak HTTP themselves.
#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace sg {

enum class errc : uint8_t {
  bad_request = 1,
  not_found,
  conflict,         // e.g. another PATCH holds the upload
  offset_mismatch,  // tus Upload-Offset differs from the stored offset
  gone,             // expired upload
  too_large,
  unsupported_media_type,
  checksum_mismatch,
  forbidden,
  unavailable,
  internal,
  unauthorized,
  insufficient_storage,  // the disk is (nearly) full: try again later
};

std::string to_string(errc x);

/// HTTP status for an error code (460 for checksum mismatch, as tus defines it).
int http_status(errc x);

/// Our error from a caf::error, when it is one of ours.
bool is_ours(const caf::error& e);

/// The human-readable detail carried in an error's context, or "".
std::string error_detail(const caf::error& e);

}  // namespace sg

CAF_ERROR_CODE_ENUM_2(sg::errc, "streamgate")

namespace sg {
inline caf::error make_error(errc code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("streamgate"),
                    caf::make_message(std::move(detail))};
}
}  // namespace sg
