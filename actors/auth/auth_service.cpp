#include "actors/auth/auth_service.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <openssl/rand.h>

#include "actors/auth/session_tokens.hpp"
#include "actors/auth/sign_in.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto store_timeout = std::chrono::seconds(5);

struct auth_state {
  sign_in::policy policy;
  std::unique_ptr<session_tokens> tokens;
  int64_t session_ttl_s = 3600;
  directory_actor directory;
  peer_set peers;  // auth records; the access service asks contract wallets (EIP-1271)
  static inline const char* name = "auth_service";
};

// The public interface and the directory's updates.
using service_actor = auth_actor::extend<directory_update>;

using auth_ptr = service_actor::stateful_pointer<auth_state>;

auth_records_actor records_of(auth_ptr self) {
  return self->state.peers.get<service::auth_records>();
}

// Sign-in needs its records; without a store every answer is "try later".
std::optional<caf::error> lacks_records(auth_ptr self) {
  if (self->state.peers.has(service::auth_records))
    return std::nullopt;
  return make_error(errc::unavailable, "no auth record store is running");
}

caf::error denied(const std::string& why) {
  return make_error(errc::unauthorized, why);
}

// 20 letters and digits, uniformly drawn (rejection sampling, no modulo bias).
std::string new_nonce() {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < 20) {
    unsigned char b[32];
    RAND_bytes(b, sizeof b);
    for (auto c : b)
      if (c < 248 && out.size() < 20)
        out += alphabet[c % 62];
  }
  return out;
}

bool plausible_nonce(const std::string& n) {
  return n.size() >= 8 && n.size() <= 64 &&
         std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c); });
}

session issue(auth_state& st, const std::string& address) {
  session_claims c;
  c.sub = address;
  c.jti = random_hex(16);
  c.iat = c.nbf = now_ms() / 1000;
  c.exp = c.iat + st.session_ttl_s;
  return session{st.tokens->issue(c), address, c.jti, c.exp};
}

// Verifies a bearer token, then asks the store whether it was revoked.
void with_session(auth_ptr self, const std::string& token,
                  std::function<void(session)> then, caf::typed_response_promise<session> fail_to) {
  std::string why;
  auto claims = self->state.tokens->verify(token, now_ms() / 1000, &why);
  if (!claims) {
    fail_to.deliver(denied(why));
    return;
  }
  session s{token, claims->sub, claims->jti, claims->exp};
  self->request(records_of(self), store_timeout, caf::get_atom::value, revoked_atom::value,
                claims->jti)
    .then(
      [s, then, fail_to](bool revoked) mutable {
        if (revoked)
          fail_to.deliver(denied("the token was revoked"));
        else
          then(s);
      },
      [fail_to](const caf::error& e) mutable { fail_to.deliver(e); });
}

// The nonce is consumed in one step by the store: a replay finds nothing.
void consume(auth_ptr self, caf::typed_response_promise<session> rp, const std::string& nonce,
             const std::string& address, const std::string& how) {
  self->request(records_of(self), store_timeout, take_atom::value, nonce_atom::value, nonce)
    .then(
      [self, rp, address, how](const std::string&) mutable {
        log::info("auth", "signed in", {{"kind", how}});
        rp.deliver(issue(self->state, address));
      },
      [rp](const caf::error&) mutable { rp.deliver(denied("the nonce was already used")); });
}

service_actor::behavior_type auth_behavior(auth_ptr self, auth_settings settings,
                                           directory_actor directory) {
  auto& st = self->state;
  st.policy.domain = settings.domain;
  for (const auto& [id, urls] : settings.chains)
    st.policy.chains.insert(id);
  st.policy.challenge_ttl_ms = settings.challenge_ttl_s * 1000LL;
  st.session_ttl_s = settings.session_ttl_s;
  st.tokens = std::make_unique<session_tokens>(settings.jwt_keys);
  st.directory = directory;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](challenge_atom, const challenge_request& req) -> caf::result<challenge> {
      if (auto missing = lacks_records(self))
        return *missing;
      auto& st = self->state;
      sign_in::record rec;
      std::string why;
      auto c = sign_in::make(st.policy, req, new_nonce(), now_ms(), &rec, &why);
      if (!c)
        return make_error(errc::bad_request, why);
      auto rp = self->make_response_promise<challenge>();
      self->request(records_of(self), store_timeout, caf::put_atom::value, nonce_atom::value, c->nonce,
                    sign_in::to_json(rec))
        .then([rp, c = *c](caf::ok_atom) mutable { rp.deliver(c); },
              [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [self](verify_atom, const signed_challenge& s) -> caf::result<session> {
      if (auto missing = lacks_records(self))
        return *missing;
      auto nonce = sign_in::nonce_of(s);
      if (!nonce || !plausible_nonce(*nonce))
        return denied("the message names no nonce of ours");
      auto rp = self->make_response_promise<session>();
      auto key = *nonce;
      self->request(records_of(self), store_timeout, caf::get_atom::value, nonce_atom::value, key)
        .then(
          [self, rp, s, key](const std::string& stored) mutable {
            auto rec = sign_in::record_from_json(stored);
            if (!rec) {
              rp.deliver(make_error(errc::internal, "a stored challenge is corrupt"));
              return;
            }
            std::string digest;
            if (auto failed = sign_in::check(self->state.policy, *rec, s, now_ms(), &digest)) {
              auto access = self->state.peers.get<service::access>();
              if (digest.empty() || !access) {
                log::info("auth", "sign-in refused", {{"kind", to_string(rec->kind)}, {"reason", *failed}});
                rp.deliver(denied(*failed));
                return;
              }
              // Not the key of an account: maybe a contract wallet (EIP-1271).
              contract_signature cs{rec->chain_id, rec->address, digest, s.signature};
              self->request(access, std::chrono::seconds(15), check_atom::value, cs)
                .then(
                  [self, rp, key, address = rec->address, failed = *failed](bool valid) mutable {
                    if (!valid)
                      return rp.deliver(denied(failed)), void();
                    consume(self, rp, key, address, "eip1271");
                  },
                  // No chain to ask: the EOA check's verdict stands (fail closed).
                  [rp, failed = *failed](const caf::error&) mutable {
                    rp.deliver(denied(failed + " (no contract wallet could be asked)"));
                  });
              return;
            }
            consume(self, rp, key, rec->address, to_string(rec->kind));
          },
          [rp](const caf::error& e) mutable {
            if (e == errc::not_found)
              rp.deliver(denied("the nonce is unknown or already used"));
            else
              rp.deliver(e);
          });
      return rp;
    },
    [self](session_atom, const std::string& token) -> caf::result<session> {
      if (auto missing = lacks_records(self))
        return *missing;
      auto rp = self->make_response_promise<session>();
      with_session(self, token, [rp](session s) mutable { rp.deliver(s); }, rp);
      return rp;
    },
    [self](refresh_atom, const std::string& token) -> caf::result<session> {
      if (auto missing = lacks_records(self))
        return *missing;
      std::string why;
      auto claims = self->state.tokens->verify(token, now_ms() / 1000, &why);
      if (!claims)
        return denied(why);
      // Revoking the old token is the claim on the refresh: of concurrent
      // refreshes (or a refresh racing a logout) exactly one creates the
      // revocation record, and only that one mints a session.
      auto rp = self->make_response_promise<session>();
      self->request(records_of(self), store_timeout, revoke_atom::value, claims->jti, claims->exp)
        .then(
          [self, rp, address = claims->sub](bool created) mutable {
            if (!created)
              return rp.deliver(denied("the token was revoked")), void();
            rp.deliver(issue(self->state, address));
          },
          [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [self](logout_atom, const std::string& token) -> caf::result<caf::ok_atom> {
      if (auto missing = lacks_records(self))
        return *missing;
      std::string why;
      auto claims = self->state.tokens->verify(token, now_ms() / 1000, &why);
      if (!claims)
        return denied(why);
      auto rp = self->make_response_promise<caf::ok_atom>();
      // Revoked until it would have expired anyway.
      self->request(records_of(self), store_timeout, revoke_atom::value, claims->jti, claims->exp)
        .then([rp](bool) mutable { rp.deliver(caf::ok_atom::value); },
              [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
  };
}

}  // namespace

auth_actor spawn_auth_service(caf::actor_system& sys, const auth_settings& settings,
                              directory_actor directory) {
  session_tokens check{settings.jwt_keys};  // throws on a bad key set, before spawning
  return actor_stats::spawn(sys, "auth", auth_behavior, settings, std::move(directory));
}

}  // namespace sg
