#pragma once
#include <cstdint>
#include <string>

#include "messages/directory.hpp"
#include "messages/jobs_actor.hpp"

namespace caf { class actor_system; }

namespace sg {

struct jobs_settings {
  std::string node = "local";  // on a cluster, this member's id
  int64_t auth_sweep_ms = 60'000;
  int64_t upload_sweep_ms = 60'000;
  int64_t analytics_retention_ms = 30 * 86'400'000LL;  // 0: playback figures are kept forever
  uint32_t webhook_attempts = 8;
  int64_t webhook_backoff_ms = 1000;  // doubles with each attempt
  bool webhook_allow_private = false;
  // A failed scheduled run is retried as a failed transcode is: after
  // backoff_ms, doubling, until max_attempts runs failed in a row; then the
  // schedule waits for its next period.
  uint32_t max_attempts = 3;
  int64_t backoff_ms = 1000;
};

/// The jobs service: runs the schedules (records through the ops store, the
/// sweeps through the services they sweep, all found in the directory) and
/// delivers webhooks. docs/architecture.md §Jobs.
jobs_actor spawn_jobs_service(caf::actor_system& sys, jobs_settings settings, directory_actor directory);

}  // namespace sg
