// The top of the dependency graph: plans the roles, starts them in order with
// the directory they all find each other in, and on SIGINT/SIGTERM stops them
// in reverse (the gateway first: stop accepting, drain; RocksDB last).
// docs/architecture.md §Roles.
#include "app/node.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/directory/directory.hpp"
#include "app/admin.hpp"
#include "app/cluster_node.hpp"
#include "app/roles.hpp"
#include "cluster/transport.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"
#include "runtime/log.hpp"
#include "runtime/s3_objects.hpp"
#include "runtime/secret.hpp"

namespace sg {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

struct running_role {
  const role* def;
  std::vector<caf::actor> actors;
};

// Sends exit and waits (bounded) until the actor is gone.
bool stop(caf::scoped_actor& self, const caf::actor& h, const std::string& what,
          std::chrono::seconds grace) {
  self->monitor(h);
  self->send_exit(h, caf::exit_reason::user_shutdown);
  bool done = false;
  self->receive([&](const caf::down_msg&) { done = true; }, caf::after(grace) >> [&] {});
  log::info("node", done ? "stopped" : "did not stop in time", {{"role", what}});
  return done;
}

// Stops the roles in reverse order of their start; false when one hung.
bool stop_all(caf::scoped_actor& self, std::vector<running_role>& running, std::chrono::seconds grace) {
  bool clean = true;
  for (auto it = running.rbegin(); it != running.rend(); ++it)
    for (const auto& a : it->actors)
      clean = stop(self, a, it->def->name, grace) && clean;
  running.clear();
  return clean;
}

std::string error_text(const caf::error& e) {
  auto detail = error_detail(e);
  return detail.empty() ? to_string(e) : detail;
}

std::vector<std::string> missing_roles(const std::vector<const role*>& planned) {
  std::vector<std::string> out;
  for (const auto& r : role_table())
    if (std::find(planned.begin(), planned.end(), &r) == planned.end())
      out.push_back(r.name);
  return out;
}

// Every role has stopped (the database closed with its actor), but the
// actor system's destructor waits for every detached actor's object to be
// released. On a cluster a peer's proxy kept one alive once (seen in the
// cluster test: a clean SIGTERM that never exited), so the wait is bounded.
void leave_after(std::chrono::seconds grace) {
  std::thread{[grace] {
    std::this_thread::sleep_for(grace);
    log::warn("node", "the actor system did not finish shutting down; leaving");
    std::fflush(stderr);
    std::_Exit(0);
  }}.detach();
}

// The node's media: its own disk, or S3 shared by the cluster with a
// bounded local copy. Nothing, with the reason logged, when it cannot be used.
std::shared_ptr<media_files> open_media(const node_config& config) {
  std::shared_ptr<object_store> shared;
  if (!config.media_url.empty()) {
    std::string why;
    auto settings = s3::parse_url(config.media_url, &why);
    if (!settings) {
      log::error("node", "cannot use --media", {{"error", why}});
      return nullptr;
    }
    shared = s3_object_store(*settings);
  }
  auto media = std::make_shared<media_files>(config.data_dir, shared, config.media_cache_bytes);
  try {
    media->create();
  } catch (const std::exception& e) {
    log::error("node", "cannot create the media directories", {{"error", e.what()}});
    return nullptr;
  }
  if (shared)
    log::info("node", "media shared through S3",
              {{"cache_bytes", config.media_cache_bytes}, {"cached_now", media->cached_bytes()}});
  return media;
}

}  // namespace

int run_node(node_config config) {
  auto started = clock_type::now();
  log::set_level(config.log_level);
  log::keep_recent(config.log_ring_lines);
  // Signals are taken synchronously by sigwait below; every thread spawned
  // from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto plan = plan_roles(config.roles);
  if (!plan) {
    log::error("node", "cannot run these roles", {{"error", error_text(plan.error())}});
    return 2;
  }
  std::shared_ptr<const std::string> secret;
  try {
    if (config.cluster.enabled())
      adopt_shared_settings(config);
    secret = std::make_shared<const std::string>(load_or_create_secret(config.data_dir, config.secret));
  } catch (const std::exception& e) {
    log::error("node", "cannot start (secrets, cluster settings)", {{"error", e.what()}});
    return 1;
  }

  caf::actor_system_config cfg;
  register_messages(cfg);
  cfg.set("scheduler.max-threads", config.scheduler_threads);
  // Measured: work-sharing answers lightly loaded requests 3-4x sooner.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.load<caf::io::middleman>();  // worker processes connect back over loopback
  if (config.cluster.enabled()) {
    cluster::configure_transport(cfg, cluster::app_id(config.cluster.name));
    cluster::configure_tls(cfg, config.cluster.certs_dir);
  }
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  const auto grace = std::chrono::seconds(config.shutdown_grace_s);

  auto media = open_media(config);
  if (!media)
    return 2;
  role_env env{sys, config, spawn_directory(sys), secret, media, *plan, missing_roles(*plan)};
  std::vector<running_role> running;
  auto start_order = *plan;
  if (config.cluster.enabled())
    start_order.push_back(&cluster_role());  // advertises the roles: last up, first down
  for (const auto* r : start_order) {
    auto actors = r->start(env);
    if (!actors) {
      log::error("node", "a role failed to start", {{"role", r->name}, {"error", error_text(actors.error())}});
      stop_all(self, running, grace);
      return 1;
    }
    running.push_back({r, std::move(*actors)});
  }
  auto admin = open_admin_door(sys, config, env.directory);
  env.started->store(true);
  std::vector<std::string> serving;
  for (const auto* r : *plan)
    serving.push_back(r->name);
  log::info("node", "ready", {{"startup_ms", ms_since(started)}, {"data_dir", config.data_dir},
                              {"roles", serving}, {"missing_roles", env.missing}});

  int sig = 0;
  sigwait(&signals, &sig);
  log::info("node", "shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  env.started->store(false);
  caf::anon_send_exit(admin, caf::exit_reason::user_shutdown);
  bool clean = stop_all(self, running, grace);
  log::info("node", "stopped");
  if (!clean) {
    // Requests still running past the grace period would hold the actor
    // system's shutdown open; the database is closed, so leave now.
    std::fflush(stderr);
    std::_Exit(0);
  }
  leave_after(grace);
  return 0;
}

}  // namespace sg
