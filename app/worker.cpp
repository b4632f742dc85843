#include "app/worker.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/transcode/av_log.hpp"
#include "actors/transcode/worker_host.hpp"
#include "cluster/transport.hpp"
#include "messages/registry.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

struct worker_options {
  std::string connect;  // host:port of the node's launcher
  uint64_t memory_bytes = 0;
  std::string log_level = "info";
  std::string cluster_app_id;  // set for the workers of a clustered node
};

// Dies with the node, even a SIGKILLed one; refuses to run for anyone else.
bool bind_to_parent() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const char* parent = std::getenv("STREAMGATE_WORKER_PARENT");
  return parent != nullptr && std::to_string(::getppid()) == parent;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_sanitizer = true;  // it reserves terabytes of address space
#else
constexpr bool address_sanitizer = false;
#endif

void limit_memory(uint64_t bytes) {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);  // a crash leaves no core file in the data directory
  if (bytes == 0 || address_sanitizer)
    return;
  rlimit as{bytes, bytes};
  ::setrlimit(RLIMIT_AS, &as);
}

}  // namespace

int run_worker(const std::vector<std::string>& args) {
  worker_options o;
  CLI::App app{"A transcode worker process; the node starts it.", "streamgate worker"};
  app.add_option("--connect", o.connect, "The launcher's loopback HOST:PORT")->required();
  app.add_option("--memory-bytes", o.memory_bytes, "Address-space limit (0 = none)");
  app.add_option("--log-level", o.log_level, "debug, info, warn or error");
  app.add_option("--cluster-app-id", o.cluster_app_id, "The clustered node's CAF app identifier");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const char* token = std::getenv("STREAMGATE_WORKER_TOKEN");
  if (token == nullptr || !bind_to_parent()) {
    std::cerr << "streamgate worker is started by a node, not by hand\n";
    return 2;
  }
  log::set_level(o.log_level);
  limit_memory(o.memory_bytes);
  av::route_log_to_json();
  auto colon = o.connect.rfind(':');
  if (colon == std::string::npos)
    return 2;

  caf::actor_system_config cfg;
  register_messages(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", 2);
  if (!o.cluster_app_id.empty())
    cluster::configure_transport(cfg, o.cluster_app_id);  // identical on both ends
  caf::actor_system sys{cfg};
  auto launcher = sys.middleman().remote_actor<worker_launcher_actor>(
    o.connect.substr(0, colon), static_cast<uint16_t>(std::stoi(o.connect.substr(colon + 1))));
  if (!launcher) {
    log::error("worker", "cannot reach the node", {{"error", to_string(launcher.error())}});
    return 1;
  }
  auto host = spawn_worker_host(sys, *launcher);
  caf::scoped_actor self{sys};
  bool joined = false;
  self->request(*launcher, std::chrono::seconds(10), caf::join_atom::value, std::string{token},
                static_cast<int32_t>(::getpid()), host)
    .receive([&](caf::ok_atom) { joined = true; },
             [&](const caf::error& e) {
               log::error("worker", "the node refused this worker", {{"error", to_string(e)}});
             });
  ::unsetenv("STREAMGATE_WORKER_TOKEN");
  if (!joined) {
    self->send_exit(host, caf::exit_reason::user_shutdown);
    return 1;
  }
  log::debug("worker", "joined", {{"pid", ::getpid()}});
  // Runs until the host ends: stopped by its supervisor, or the node is gone.
  self->wait_for(host);
  return 0;
}

}  // namespace sg
