// The top of the dependency graph: spawns every role and wires their handles,
// then shuts down in order (stop HTTP, let requests drain, stop services,
// close RocksDB last).
#include "app/node.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/auth/auth_service.hpp"
#include "actors/auth/session_tokens.hpp"
#include "actors/cache/cache_shard.hpp"
#include "actors/metadata/metadata_store.hpp"
#include "actors/nft/nft_verifier.hpp"
#include "actors/transcode/transcode_supervisor.hpp"
#include "actors/transcode/worker_launcher.hpp"
#include "actors/upload/upload_manager.hpp"
#include "gateway/gateway.hpp"
#include "messages/registry.hpp"
#include "runtime/log.hpp"
#include "runtime/secret.hpp"

namespace sg {

namespace {

using clock_type = std::chrono::steady_clock;

// Worker processes are this very binary.
std::string own_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{} : path.string();
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

// Sends exit and waits (bounded) until the actor is gone.
template <class Handle>
bool stop(caf::scoped_actor& self, const Handle& h, const char* what, std::chrono::seconds grace) {
  if (!h)
    return true;
  self->monitor(h);
  self->send_exit(h, caf::exit_reason::user_shutdown);
  bool done = false;
  self->receive([&](const caf::down_msg&) { done = true; },
                caf::after(grace) >> [&] {});
  log::info("node", done ? "stopped" : "did not stop in time", {{"role", what}});
  return done;
}

}  // namespace

int run_node(const node_config& config) {
  auto started = clock_type::now();
  log::set_level(config.log_level);
  // Signals are taken synchronously by sigwait below; every thread spawned
  // from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::shared_ptr<const std::string> secret;
  try {
    secret = std::make_shared<const std::string>(
      load_or_create_secret(config.data_dir, config.secret));
  } catch (const std::exception& e) {
    log::error("node", "no playback secret", {{"error", e.what()}});
    return 1;
  }

  caf::actor_system_config cfg;
  register_messages(cfg);
  cfg.set("scheduler.max-threads", config.scheduler_threads);
  // Measured: work-sharing answers lightly loaded requests 3-4x sooner.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.load<caf::io::middleman>();  // worker processes connect back over loopback
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  const auto grace = std::chrono::seconds(config.shutdown_grace_s);

  auto metadata = spawn_metadata_store(sys, config.data_dir);
  bool db_open = false;
  self->request(metadata, std::chrono::seconds(30), caf::ping_atom::value)
    .receive([&](caf::pong_atom) { db_open = true; },
             [&](const caf::error& e) {
               log::error("node", "metadata store failed to start", {{"error", to_string(e)}});
             });
  if (!db_open)
    return 1;

  std::vector<cache_shard_actor> cache;
  if (config.has_role("cache"))
    for (int i = 0; i < config.cache_shards; ++i)
      cache.push_back(spawn_cache_shard(sys, static_cast<size_t>(i),
                                        config.cache_bytes / static_cast<uint64_t>(config.cache_shards)));
  nft_actor nft;
  if (config.has_role("auth"))
    nft = spawn_nft_verifier(sys, config.nft, cache);
  auth_actor auth;
  if (config.has_role("auth")) {
    auto settings = config.auth;
    try {
      settings.jwt_keys = jwt_keys_from(config.jwt_key_specs, config.data_dir, config.jwt_alg);
      auth = spawn_auth_service(sys, settings, metadata, nft);  // its auth records
    } catch (const std::exception& e) {
      log::error("node", "auth failed to start", {{"error", e.what()}});
      stop(self, metadata, "metadata", grace);
      return 1;
    }
  }
  worker_launcher_actor launcher;
  transcode_actor transcoder;
  if (config.has_role("transcode")) {
    auto l = spawn_worker_launcher(sys, {own_executable(), config.transcode.worker_memory_bytes,
                                         config.log_level});
    if (!l) {
      log::error("node", "cannot start the worker launcher", {{"error", to_string(l.error())}});
      stop(self, auth, "auth", grace);
      stop(self, nft, "nft", grace);
      stop(self, metadata, "metadata", grace);
      return 1;
    }
    launcher = *l;
    transcoder = spawn_transcode_supervisor(sys, config.transcode, metadata, launcher);
  }
  upload_manager_actor uploads;
  if (config.has_role("upload"))
    uploads = spawn_upload_manager(sys, config.upload, metadata, transcoder);

  gateway_actor gateway;
  gateway_context ctx;
  if (config.has_role("gateway")) {
    ctx.system = &sys;
    ctx.http = config.http;
    ctx.tus_max_size = config.upload.max_size;
    ctx.quota_bytes = config.upload.quota_bytes;
    ctx.videos = metadata;
    ctx.jobs = metadata;
    ctx.uploads = uploads;
    ctx.transcoder = transcoder;
    ctx.auth = auth;
    ctx.nft = nft;
    ctx.cache = cache;
    ctx.data_dir = config.data_dir;
    ctx.secret = secret;
    auto gw = spawn_gateway(ctx);
    if (!gw) {
      log::error("node", "gateway failed to start", {{"error", to_string(gw.error())}});
      stop(self, uploads, "upload", grace);
      stop(self, transcoder, "transcode", grace);
      stop(self, launcher, "workers", grace);
      stop(self, auth, "auth", grace);
      stop(self, nft, "nft", grace);
      stop(self, metadata, "metadata", grace);
      return 1;
    }
    gateway = *gw;
  }
  ctx.started->store(true);
  log::info("node", "ready", {{"startup_ms", ms_since(started)}, {"data_dir", config.data_dir}});

  int sig = 0;
  sigwait(&signals, &sig);
  log::info("node", "shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  ctx.started->store(false);
  bool http_drained = stop(self, gateway, "gateway", grace);
  stop(self, uploads, "upload", grace);
  stop(self, transcoder, "transcode", grace);
  stop(self, launcher, "workers", grace);
  stop(self, auth, "auth", grace);
  stop(self, nft, "nft", grace);
  for (auto& shard : cache)
    stop(self, shard, "cache", grace);
  stop(self, metadata, "metadata", grace);
  log::info("node", "stopped");
  if (!http_drained) {
    // Requests still running past the grace period would hold the actor
    // system's shutdown open; the database is closed, so leave now.
    std::fflush(stderr);
    std::_Exit(0);
  }
  return 0;
}

}  // namespace sg
