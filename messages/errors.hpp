#pragma once
// Our error codes travel as caf::error in the category "streamgate". The
// values are pinned: they cross process boundaries (worker processes now,
// other nodes later), so a code keeps its number forever and new codes are
// appended. Services never speak HTTP; the gateway maps codes to statuses.
// Compare with `e == errc::not_found` (the category is compared too).
#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace sg {

enum class errc : uint8_t {
  bad_request = 1,             // the request itself is malformed or breaks a limit
  not_found = 2,               // no such video, upload, job or record
  conflict = 3,                // the resource is busy (another PATCH, a running job)
  offset_mismatch = 4,         // tus: Upload-Offset differs from the stored offset
  gone = 5,                    // an expired upload
  too_large = 6,               // past Tus-Max-Size or the owner's quota
  unsupported_media_type = 7,  // a body of the wrong type
  checksum_mismatch = 8,       // tus: Upload-Checksum differs from the body's
  forbidden = 9,               // someone else's resource, or a refused peer
  unavailable = 10,            // a dependency does not answer (RPC, a service); retry later
  internal = 11,               // our fault: logged, never the client's
  unauthorized = 12,           // no valid session, or a failed sign-in check
  insufficient_storage = 13,   // the disk is (nearly) full: try again later
};

std::string to_string(errc x);

constexpr caf::atom_value error_category = caf::atom("streamgate");

/// The error alone (what `e == errc::x` compares against).
inline caf::error make_error(errc code) {
  return caf::error{static_cast<uint8_t>(code), error_category};
}

/// The error with a detail for humans (never a secret).
inline caf::error make_error(errc code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(detail))};
}

/// The detail carried by one of our errors, or "".
std::string error_detail(const caf::error& e);

}  // namespace sg
