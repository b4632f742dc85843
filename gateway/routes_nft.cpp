// POST /api/v1/nft/verify: does the caller's own wallet hold a token?
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/auth_filter.hpp"
#include "gateway/gates.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "messages/errors.hpp"
#include "runtime/json.hpp"

namespace sg {

void add_nft_routes(router& r, const gateway_context& ctx) {
  r.post("/api/v1/nft/verify", {"api", auth_need::required},
         [&ctx](const httplib::Request& req, httplib::Response& res) {
           const auto& user = signed_in_user();
           std::string why;
           auto body = parse_json(req.body, &why);
           if (!body)
             return problem(res, 400, why);
           auto rule = parse_gate_rule(*body, &why);
           if (!rule)
             return problem(res, 400, why);
           auto holds = ask<bool>(ctx, ctx.peer<service::access>(), check_atom::value, holding_check{*rule, user});
           if (!holds)
             return problem(res, holds.error());
           send_json(res, {{"address", user}, {"holds", *holds}});
         });
}

}  // namespace sg
