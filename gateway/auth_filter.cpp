#include "gateway/auth_filter.hpp"

#include "gateway/ask.hpp"
#include "gateway/problem.hpp"

namespace sg {

namespace {

class bearer_auth final : public middleware {
public:
  explicit bearer_auth(const gateway_context& ctx) : ctx_(ctx) {}
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& rc) override {
    auto need = rc.route ? rc.route->auth : auth_need::optional;
    if (need == auth_need::none)
      return true;  // e.g. the auth routes, which read the header themselves
    auto h = req.get_header_value("Authorization");
    if (h.empty()) {
      if (need == auth_need::optional)
        return true;  // anonymous
      res.set_header("WWW-Authenticate", "Bearer");
      problem(res, 401, "sign in first: this needs an Authorization: Bearer token");
      return false;
    }
    auto auth = ctx_.peer<service::auth>();
    if (!auth) {
      res.set_header("Retry-After", "5");
      problem(res, 503, "sessions cannot be checked: no auth service is running");
      return false;
    }
    if (h.rfind("Bearer ", 0) != 0) {
      res.set_header("WWW-Authenticate", "Bearer");
      problem(res, 401, "Authorization must be a Bearer token");
      return false;
    }
    auto s = ask<session>(ctx_, auth, session_atom::value, h.substr(7));
    if (!s) {
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      problem(res, s.error());
      return false;
    }
    rc.address = s->address;
    return true;
  }

private:
  const gateway_context& ctx_;
};

}  // namespace

std::unique_ptr<middleware> make_bearer_auth(const gateway_context& ctx) {
  return std::make_unique<bearer_auth>(ctx);
}

std::optional<std::string> require_user(httplib::Response& res) {
  const auto& address = current_request().address;
  if (!address.empty())
    return address;
  res.set_header("WWW-Authenticate", "Bearer");
  problem(res, 401, "sign in first: this needs an Authorization: Bearer token");
  return std::nullopt;
}

const std::string& signed_in_user() {
  return current_request().address;
}

principal acting() {
  return principal{current_request().address};
}

}  // namespace sg
