#include "app/roles.hpp"

#include <algorithm>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/analytics/view_aggregator.hpp"
#include "actors/auth/auth_service.hpp"
#include "actors/auth/session_tokens.hpp"
#include "actors/cache/cache.hpp"
#include "actors/jobs/jobs_service.hpp"
#include "actors/media/media_store.hpp"
#include "actors/metadata/metadata_store.hpp"
#include "actors/monitor/monitor.hpp"
#include "actors/nft/nft_verifier.hpp"
#include "actors/transcode/transcode_supervisor.hpp"
#include "actors/transcode/worker_launcher.hpp"
#include "actors/upload/upload_manager.hpp"
#include "app/gateway_role.hpp"
#include "cluster/etcd_records.hpp"
#include "cluster/transport.hpp"
#include "messages/errors.hpp"

namespace sg {

namespace {

using actors = std::vector<caf::actor>;

// Worker processes are this very binary.
std::string own_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{} : path.string();
}

template <class Handle>
caf::actor untyped(const Handle& h) {
  return caf::actor_cast<caf::actor>(h);
}

void place(role_env& env, service s, caf::actor h) {
  caf::anon_send(env.directory, caf::put_atom::value, s, std::move(h));
}

// A cluster member's records live in etcd; its RocksDB follows them.
record_log_factory record_log_of(const cluster_settings& c) {
  if (!c.enabled())
    return {};
  cluster::records_settings s{c.etcd, {c.etcd_cacert, c.etcd_cert, c.etcd_key},
                              "/streamgate/" + c.name + "/records/", "/streamgate/" + c.name + "/members/",
                              c.name};
  return [s](record_sink& index) { return cluster::open_etcd_records(s, index); };
}

caf::expected<actors> start_metadata(role_env& env) {
  auto store = spawn_metadata_store(env.sys, env.config.data_dir, env.directory,
                                    record_log_of(env.config.cluster));
  caf::scoped_actor self{env.sys};
  caf::error failed;
  self->request(store, std::chrono::seconds(30), caf::ping_atom::value)
    .receive([](caf::pong_atom) {}, [&](caf::error& e) { failed = std::move(e); });
  if (failed)
    return failed;
  for (auto s : {service::video_store, service::upload_store, service::job_store, service::auth_records,
                 service::ops_store, service::catalogue, service::analytics_store})
    place(env, s, untyped(store));
  // On a cluster each flush is an etcd transaction per 32 rows from every
  // node: fewer, larger merges there.
  const auto& a = env.config.analytics;
  auto flush_s = a.flush_interval_s > 0 ? a.flush_interval_s : env.config.cluster.enabled() ? 30 : 5;
  auto views = spawn_view_aggregator(env.sys, env.directory, std::chrono::seconds(flush_s));
  place(env, service::analytics, untyped(views));
  auto media = spawn_media_store(env.sys, env.media);
  place(env, service::media, untyped(media));
  return actors{untyped(views), untyped(store), untyped(media)};  // stopped in this order
}

caf::expected<actors> start_cache(role_env& env) {
  auto cache = spawn_cache(env.sys, static_cast<size_t>(env.config.cache_shards), env.config.cache_bytes);
  place(env, service::cache, untyped(cache));
  return actors{untyped(cache)};
}

caf::expected<actors> start_auth(role_env& env) {
  auto settings = env.config.auth;
  try {
    settings.jwt_keys = jwt_keys_from(env.config.jwt_key_specs, env.config.data_dir, env.config.jwt_alg);
    auto access = spawn_nft_verifier(env.sys, env.config.nft, env.directory);
    auto auth = spawn_auth_service(env.sys, settings, env.directory);
    place(env, service::access, untyped(access));
    place(env, service::auth, untyped(auth));
    return actors{untyped(auth), untyped(access)};
  } catch (const std::exception& e) {
    return make_error(errc::bad_request, e.what());
  }
}

caf::expected<actors> start_upload(role_env& env) {
  auto uploads = spawn_upload_manager(env.sys, env.config.upload, env.directory);
  place(env, service::uploads, untyped(uploads));
  return actors{untyped(uploads)};
}

caf::expected<actors> start_transcode(role_env& env) {
  auto launcher = spawn_worker_launcher(
    env.sys, {own_executable(), env.config.transcode.worker_memory_bytes, env.config.log_level,
              env.config.cluster.enabled() ? cluster::app_id(env.config.cluster.name) : std::string{}});
  if (!launcher)
    return launcher.error();
  auto supervisor = spawn_transcode_supervisor(env.sys, env.config.transcode, env.directory, *launcher);
  place(env, service::transcoder, untyped(supervisor));
  return actors{untyped(supervisor), untyped(*launcher)};
}

caf::expected<actors> start_jobs(role_env& env) {
  const auto& c = env.config;
  jobs_settings s;
  if (c.cluster.enabled())
    s.node = c.cluster.member_id;
  s.upload_sweep_ms = int64_t{c.upload.sweep_interval_s} * 1000;
  s.analytics_retention_ms = int64_t{c.analytics.retention_days} * 86'400'000LL;
  s.webhook_attempts = c.webhooks.attempts;
  s.webhook_backoff_ms = c.webhooks.backoff_ms;
  s.webhook_allow_private = c.webhooks.allow_private;
  s.max_attempts = static_cast<uint32_t>(std::max(1, c.transcode.max_attempts));
  s.backoff_ms = c.transcode.backoff_ms;
  auto jobs = spawn_jobs_service(env.sys, std::move(s), env.directory);
  place(env, service::jobs, untyped(jobs));
  return actors{untyped(jobs)};
}

caf::expected<actors> start_monitor(role_env& env) {
  auto monitor = spawn_monitor(env.sys, env.config.data_dir, std::chrono::seconds(2), env.config.alert_specs);
  if (!monitor)
    return monitor.error();
  place(env, service::monitor, untyped(*monitor));
  return actors{untyped(*monitor)};
}

// The stream role is served by the gateway of this node (its media routes).
caf::expected<actors> start_stream(role_env&) {
  return actors{};
}

}  // namespace

bool role_env::runs(const std::string& role_name) const {
  return std::any_of(planned.begin(), planned.end(), [&](const role* r) { return r->name == role_name; });
}

const std::vector<role>& role_table() {
  static const std::vector<role> table{
    {"metadata", {}, {service::video_store, service::upload_store, service::job_store,
                      service::auth_records, service::ops_store, service::catalogue, service::analytics_store,
                      service::analytics, service::media},
     start_metadata},
    {"cache", {}, {service::cache}, start_cache},
    {"auth", {"metadata"}, {service::auth, service::access}, start_auth},
    {"upload", {"metadata"}, {service::uploads}, start_upload},
    {"transcode", {"metadata"}, {service::transcoder}, start_transcode},
    {"jobs", {}, {service::jobs}, start_jobs},
    {"monitor", {}, {service::monitor}, start_monitor},
    {"gateway", {}, {}, start_gateway},
    {"stream", {"gateway", "metadata"}, {}, start_stream},
  };
  return table;
}

caf::expected<std::vector<const role*>> plan_roles(const std::vector<std::string>& wanted,
                                                   const std::vector<role>& table) {
  for (const auto& name : wanted)
    if (std::none_of(table.begin(), table.end(), [&](const role& r) { return r.name == name; }))
      return make_error(errc::bad_request, "unknown role '" + name + "'");
  auto wants = [&](const std::string& name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  std::vector<const role*> plan;
  for (const auto& r : table) {
    if (!wants(r.name))
      continue;
    for (const auto& need : r.needs)
      if (!wants(need))
        return make_error(errc::bad_request,
                          "role " + r.name + " needs " + need + " on this node, which it does not run");
    plan.push_back(&r);
  }
  return plan;
}

}  // namespace sg
