#pragma once
// RFC 7807 problem+json answers; every error leaves through here and is logged.
#include <string>

#include <caf/error.hpp>
#include <httplib.h>

namespace sg {

void problem(httplib::Response& res, int status, const std::string& detail);

/// Maps an actor's error to its HTTP status: ours by code, timeouts and dead
/// actors to 503, anything else to 500 (its detail stays in the log).
void problem(httplib::Response& res, const caf::error& e);

/// Reason phrase, including tus' 460 "Checksum Mismatch".
const char* status_title(int status);

}  // namespace sg
