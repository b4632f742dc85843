// Wallet sign-in and sessions: challenge, verify, refresh, logout, me.
#include <optional>

#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"
#include "runtime/clock.hpp"
#include "runtime/json.hpp"

namespace sg {

namespace {

using json = nlohmann::json;

std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    problem(res, 415, "send application/json");
    return std::nullopt;
  }
  std::string why;
  auto j = parse_json(req.body, &why);
  if (!j) {
    problem(res, 400, why);
    return std::nullopt;
  }
  if (!j->is_object()) {
    problem(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<std::string> string_field(const json& j, const char* name, bool required,
                                        httplib::Response& res) {
  if (!j.contains(name)) {
    if (required)
      problem(res, 400, std::string{name} + " is required");
    return required ? std::nullopt : std::optional<std::string>{""};
  }
  if (!j[name].is_string() || j[name].get_ref<const std::string&>().size() > 16384) {
    problem(res, 400, std::string{name} + " must be a string");
    return std::nullopt;
  }
  return j[name].get<std::string>();
}

void send_session(httplib::Response& res, const session& s) {
  res.set_header("Cache-Control", "no-store");
  send_json(res, {{"token", s.token}, {"address", s.address},
                  {"expires_at", iso8601_ms(s.expires_s * 1000)}});
}

void challenge_route(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  if (!body)
    return;
  auto address = string_field(*body, "address", true, res);
  std::optional<std::string> kind;
  if (address)
    kind = string_field(*body, "kind", false, res);
  if (!address || !kind)
    return;
  challenge_request r;
  r.address = *address;
  auto parsed = kind->empty() ? std::optional<sign_in_kind>{sign_in_kind::siwe}
                              : parse_state<sign_in_kind>(*kind);
  if (!parsed)
    return problem(res, 400, "kind must be siwe, eip191, eip712 or solana");
  r.kind = *parsed;
  if (body->contains("chain_id")) {
    const auto& id = (*body)["chain_id"];
    if (!id.is_number_unsigned())
      return problem(res, 400, "chain_id must be a non-negative integer");
    r.chain_id = id.get<uint64_t>();
  } else if (r.kind != sign_in_kind::solana) {
    return problem(res, 400, "chain_id is required");
  }
  auto c = ask<challenge>(ctx, ctx.peer<service::auth>(), challenge_atom::value, std::move(r));
  if (!c)
    return problem(res, c.error());
  json out = {{"kind", to_string(c->kind)}, {"nonce", c->nonce},
              {"issued_at", iso8601_ms(c->issued_ms)}, {"expires_at", iso8601_ms(c->expires_ms)}};
  if (c->typed_data.empty())
    out["message"] = c->message;
  else
    out["typed_data"] = json::parse(c->typed_data);
  res.set_header("Cache-Control", "no-store");
  send_json(res, out);
}

void verify_route(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  if (!body)
    return;
  signed_challenge s;
  if (body->contains("typed_data")) {
    if (!(*body)["typed_data"].is_object())
      return problem(res, 400, "typed_data must be an object");
    s.typed_data = dump_json((*body)["typed_data"]);
  } else {
    auto m = string_field(*body, "message", true, res);
    if (!m)
      return;
    s.message = *m;
  }
  auto sig = string_field(*body, "signature", true, res);
  std::optional<std::string> key;
  if (sig)
    key = string_field(*body, "public_key", false, res);
  if (!sig || !key)
    return;
  s.signature = *sig;
  s.public_key = *key;
  auto out = ask<session>(ctx, ctx.peer<service::auth>(), verify_atom::value, std::move(s));
  if (!out)
    return problem(res, out.error());
  send_session(res, *out);
}

std::optional<std::string> bearer(const httplib::Request& req, httplib::Response& res) {
  auto h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) != 0 || h.size() <= 7) {
    res.set_header("WWW-Authenticate", "Bearer");
    problem(res, 401, "an Authorization: Bearer token is required");
    return std::nullopt;
  }
  return h.substr(7);
}

void refresh_route(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto token = bearer(req, res);
  if (!token)
    return;
  auto out = ask<session>(ctx, ctx.peer<service::auth>(), refresh_atom::value, *token);
  if (!out)
    return problem(res, out.error());
  send_session(res, *out);
}

void logout_route(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto token = bearer(req, res);
  if (!token)
    return;
  auto out = ask<caf::ok_atom>(ctx, ctx.peer<service::auth>(), logout_atom::value, *token);
  if (!out)
    return problem(res, out.error());
  res.status = 204;
}

void me_route(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto token = bearer(req, res);
  if (!token)
    return;
  auto s = ask<session>(ctx, ctx.peer<service::auth>(), session_atom::value, *token);
  if (!s)
    return problem(res, s.error());
  auto used = ask<uint64_t>(ctx, ctx.peer<service::video_store>(), caf::get_atom::value, usage_atom::value, s->address);
  if (!used)
    return problem(res, used.error());
  send_json(res, {{"address", s->address},
                  {"expires_at", iso8601_ms(s->expires_s * 1000)},
                  {"storage", {{"used_bytes", *used},
                               {"quota_bytes", ctx.quota_bytes > 0 ? json(ctx.quota_bytes) : json(nullptr)}}}});
}

}  // namespace

void add_auth_routes(router& r, const gateway_context& ctx) {
  using handler = void (*)(const gateway_context&, const httplib::Request&, httplib::Response&);
  auto bind = [&ctx](handler h) {
    return [&ctx, h](const httplib::Request& q, httplib::Response& s) { h(ctx, q, s); };
  };
  r.post("/api/v1/auth/challenge", {"auth", auth_need::none}, bind(challenge_route));
  r.post("/api/v1/auth/verify", {"auth", auth_need::none}, bind(verify_route));
  r.post("/api/v1/auth/refresh", {"auth", auth_need::none}, bind(refresh_route));
  r.post("/api/v1/auth/logout", {"auth", auth_need::none}, bind(logout_route));
  r.get("/api/v1/auth/me", {"auth", auth_need::none}, bind(me_route));
}

}  // namespace sg
