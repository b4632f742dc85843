#pragma once
// Streams a request body into an upload session under one lease, in chunks of
// at most max_chunk_bytes (eight in flight to a session on another node):
// memory stays constant whatever the body's size.
// A body not read whole leaves the connection to be closed (gateway/edge.hpp).
#include <optional>

#include <caf/expected.hpp>
#include <httplib.h>

#include "gateway/context.hpp"
#include "gateway/tus_headers.hpp"

namespace sg {

struct body_outcome {
  caf::expected<upload_info> info{caf::error{}};
};

body_outcome stream_body(const gateway_context& ctx, const upload_session_actor& session,
                         uint64_t offset, const std::optional<tus::checksum_header>& checksum,
                         const httplib::Request& req, const httplib::ContentReader& reader);

/// True when the request announces a body (Content-Length > 0 or chunked).
bool has_body(const httplib::Request& req);

}  // namespace sg
