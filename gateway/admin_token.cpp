#include "gateway/admin_token.hpp"

#include <openssl/crypto.h>

#include "gateway/problem.hpp"

namespace sg {

bool admin(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto& want = ctx.http.admin_token;
  auto given = req.get_header_value("X-Admin-Token");
  if (!want.empty() && given.size() == want.size() &&
      CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0)
    return true;
  problem(res, 403, want.empty() ? "the admin API is off: no admin token is configured"
                                 : "X-Admin-Token is missing or wrong");
  return false;
}

}  // namespace sg
