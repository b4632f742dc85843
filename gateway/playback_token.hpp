#pragma once
// Playback tokens: "<expiry unix seconds>.<32 hex of HMAC-SHA256>" over the
// video id and expiry with the node's secret. Checked by HMAC alone on every
// playlist and segment request: no lookup, no actor round trip.
#include <cstdint>
#include <string>

namespace sg {

/// `viewer` (a wallet, lowercase hex without 0x) binds the token to the
/// viewer of a gated video: "<exp>.<viewer>.<mac>". Empty: "<exp>.<mac>".
std::string sign_playback(const std::string& secret, const std::string& video_id,
                          int64_t expires_s, const std::string& viewer = "");

enum class token_status { valid, malformed, forged, expired };

token_status check_playback(const std::string& secret, const std::string& video_id,
                            const std::string& token, int64_t now_s);

}  // namespace sg
