#pragma once
// Answers: RFC 7807 problem+json for every error (each one logged), and JSON.
#include <string>

#include <caf/error.hpp>

#include "messages/errors.hpp"
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace sg {

void problem(httplib::Response& res, int status, const std::string& detail);

/// Maps an actor's error to its HTTP status: ours by code, timeouts and dead
/// actors to 503, anything else to 500 (its detail stays in the log).
void problem(httplib::Response& res, const caf::error& e);

/// The HTTP status of one of our error codes (460 is tus' checksum mismatch).
int http_status(errc x);

/// A JSON answer (client text in it is dumped safely: see runtime/json.hpp).
void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);

/// Reason phrase, including tus' 460 "Checksum Mismatch".
const char* status_title(int status);

}  // namespace sg
