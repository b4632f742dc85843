#include "app/admin.hpp"

#include <openssl/crypto.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto lookup_timeout = std::chrono::seconds(5);

bool same_token(const std::string& want, const std::string& given) {
  return !want.empty() && given.size() == want.size() &&
         CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0;
}

// On a cluster a caller on another node came over mutual TLS with a
// certificate of the cluster's CA (a member or the shell's client).
bool vouched_for(admin_actor::pointer self, bool clustered) {
  const auto& from = self->current_sender();
  return clustered && from != nullptr && from->node() != self->node();
}

admin_actor::behavior_type door(admin_actor::pointer self, std::string token, std::string settings,
                                directory_actor directory, bool clustered) {
  return {
    [=](caf::get_atom, const std::string& given) -> caf::result<std::string> {
      if (!same_token(token, given) && !vouched_for(self, clustered))
        return make_error(errc::forbidden, token.empty() ? "the admin shell is off: the node has no --admin-token"
                                                         : "wrong admin token");
      return settings;
    },
    [=](caf::get_atom, const std::string& given, const std::string& name) -> caf::result<caf::actor> {
      if (token.empty())
        return make_error(errc::forbidden, "the admin shell is off: the node has no --admin-token");
      if (!same_token(token, given)) {
        log::warn("admin", "shell refused: wrong admin token");
        return make_error(errc::forbidden, "wrong admin token");
      }
      service s;
      if (!service_from(name, s))
        return make_error(errc::not_found, "no service is named '" + name.substr(0, 64) + "'");
      auto rp = self->make_response_promise<caf::actor>();
      self->request(directory, lookup_timeout, caf::get_atom::value, s)
        .then([rp](const caf::actor& h) mutable { rp.deliver(h); },
              [rp](const caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
  };
}

}  // namespace

admin_actor open_admin_door(caf::actor_system& sys, const node_config& config, directory_actor directory) {
  auto admin = actor_stats::spawn(sys, "admin", door, config.http.admin_token, config.effective, directory,
                                  config.cluster.enabled());
  if (config.cluster.enabled()) {
    // Offered to the cluster (and the shell) through the greeter.
    caf::anon_send(directory, caf::put_atom::value, service::admin, caf::actor_cast<caf::actor>(admin));
    return admin;
  }
  auto port = sys.middleman().publish(admin, static_cast<uint16_t>(config.cluster.port), "127.0.0.1", true);
  if (port)
    log::info("admin", "admin shell listening", {{"host", "127.0.0.1"}, {"port", *port}});
  else
    log::warn("admin", "no admin shell: cannot listen", {{"port", config.cluster.port}, {"error", to_string(port.error())}});
  return admin;
}

}  // namespace sg
