#pragma once
// Authentication as one more filter of the pipeline: a bearer token, when
// sent, must be a live session (401 otherwise); its wallet address is then
// the request's user. A route says in the route table whether it needs one
// (auth_need): required routes get 401 here, before their handler runs;
// optional ones that need a user only sometimes (a gated playback) ask with
// require_user.
#include <memory>
#include <optional>
#include <string>

#include "gateway/context.hpp"
#include "gateway/middleware.hpp"

namespace sg {

std::unique_ptr<middleware> make_bearer_auth(const gateway_context& ctx);

/// The signed-in address, or 401 answered and nothing.
std::optional<std::string> require_user(httplib::Response& res);

/// The signed-in address on a route that requires a session (never empty
/// there: the filter answered 401 otherwise).
const std::string& signed_in_user();

/// The acting principal (anonymous when nobody signed in); services check
/// ownership with it in the message that acts.
principal acting();

}  // namespace sg
