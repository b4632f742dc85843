#include "app/cluster_node.hpp"

#include <chrono>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "app/certs.hpp"
#include "actors/auth/session_tokens.hpp"
#include "cluster/cluster_service.hpp"
#include "cluster/shared_settings.hpp"
#include "messages/errors.hpp"
#include "messages/gateway_actor.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch()).count();
}

// Where peers reach this node's gateway (its real port when it picked one).
std::string http_address(role_env& env) {
  int port = env.config.http.port;
  if (env.gateway) {
    caf::scoped_actor self{env.sys};
    self->request(env.gateway, std::chrono::seconds(5), caf::get_atom::value)
      .receive([&](int32_t p) { port = p; }, [](caf::error&) {});
  }
  auto host = env.config.http.host == "0.0.0.0" ? std::string{"127.0.0.1"} : env.config.http.host;
  return host + ":" + std::to_string(port);
}

// The local actor serving `s` (this node runs its role).
template <service S>
typename service_handle<S>::type local(role_env& env) {
  caf::scoped_actor self{env.sys};
  typename service_handle<S>::type out;
  self->request(env.directory, std::chrono::seconds(5), caf::get_atom::value, S)
    .receive([&](caf::actor& h) { out = caf::actor_cast<decltype(out)>(h); }, [](caf::error&) {});
  return out;
}

caf::expected<std::vector<caf::actor>> start_cluster(role_env& env) {
  const auto& c = env.config.cluster;
  member_record me;
  try {
    me.name = certs::common_name(c.certs_dir + "/node.crt");
  } catch (const std::exception& e) {
    return make_error(errc::bad_request, e.what());
  }
  me.id = c.member_id;
  me.cluster = c.name;
  me.address = c.advertise;
  me.http = http_address(env);
  for (const auto* r : env.planned)
    me.roles.push_back(r->name);
  me.started_ms = unix_ms();

  cluster::membership_settings ms{c.etcd, {c.etcd_cacert, c.etcd_cert, c.etcd_key},
                                  "/streamgate/" + c.name + "/members/", c.lease_ttl_s, c.certs_dir};
  std::vector<service> provided;
  for (const auto* r : env.planned)
    provided.insert(provided.end(), r->provides.begin(), r->provides.end());
  provided.push_back(service::cluster);  // the admin shell asks a member for its view
  provided.push_back(service::admin);    // and for its settings
  auto service = cluster::start_cluster_service(
    env.sys, {std::move(ms), me, static_cast<uint16_t>(c.port), env.directory, std::move(provided),
              env.runs("cache") ? local<service::cache>(env) : cache_actor{},
              env.runs("upload") ? local<service::uploads>(env) : upload_manager_actor{},
              env.runs("transcode") ? local<service::transcoder>(env) : transcode_actor{}});
  if (!service)
    return service.error();
  caf::anon_send(env.directory, caf::put_atom::value, service::cluster, caf::actor_cast<caf::actor>(*service));
  log::info("cluster", "joining", {{"id", me.id}, {"name", me.name}, {"cluster", me.cluster},
                                   {"address", me.address}, {"etcd", c.etcd}});
  return std::vector<caf::actor>{caf::actor_cast<caf::actor>(*service)};
}

}  // namespace

void adopt_shared_settings(node_config& config) {
  auto& c = config.cluster;
  // This run's member id (its certificate's name, then random bits); the
  // upload ids this node makes start with its tag.
  c.member_id = certs::common_name(c.certs_dir + "/node.crt") + "-" + random_hex(6);
  config.upload.id_tag = id_tag(c.member_id);
  config.transcode.node_id = c.member_id;
  etcd::client etcd{c.etcd, {c.etcd_cacert, c.etcd_cert, c.etcd_key}};
  const auto prefix = "/streamgate/" + c.name + "/settings/";
  // etcd may still be electing a leader when the cluster starts together.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    try {
      if (config.secret.empty())
        config.secret = cluster::shared_value(etcd, prefix + "playback-secret", random_hex(32));
      if (config.jwt_key_specs.empty())
        config.jwt_key_specs.push_back(
          config.jwt_alg == "ES256"
            ? "cluster-es256:" + cluster::shared_value(etcd, prefix + "jwt-es256", new_p256_pem())
            : "cluster:" + cluster::shared_value(etcd, prefix + "jwt-hs256", random_hex(32)));
      return;
    } catch (const etcd::error& e) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string{"etcd did not answer: "} + e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
}

const role& cluster_role() {
  static const role r{"cluster", {}, {service::cluster}, start_cluster};
  return r;
}

}  // namespace sg
