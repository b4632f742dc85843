#pragma once
// Starts `streamgate worker` processes on this node: each one connects back
// over CAF on loopback, proves it was launched here (a one-time token from
// its environment) and hands over its worker_host. Exited processes are
// reaped and their end (exit code or signal) is logged.
#include <cstdint>
#include <string>

#include <caf/expected.hpp>

#include "messages/transcode_actor.hpp"

namespace caf { class actor_system; }

namespace sg {

struct worker_process_settings {
  std::string executable;     // this binary
  uint64_t memory_bytes = 0;  // address-space limit of each worker; 0: none
  std::string log_level = "info";
  // A clustered node's CAF transport identifier: its workers must use the
  // same transport settings (cluster/transport.hpp). Empty: CAF's defaults.
  std::string cluster_app_id;
};

/// Spawns the launcher and publishes it on 127.0.0.1 (a free port).
caf::expected<worker_launcher_actor> spawn_worker_launcher(caf::actor_system& sys,
                                                           const worker_process_settings& settings);

}  // namespace sg
