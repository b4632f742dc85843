#pragma once
// The admin API's gate: X-Admin-Token must equal --admin-token (compared in
// constant time); without a configured token the admin API answers 403.
#include <httplib.h>

#include "gateway/context.hpp"

namespace sg {

/// True when the request carries the admin token; else answers 403.
bool admin(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res);

}  // namespace sg
