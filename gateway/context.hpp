#pragma once
// What every route needs: the actor system, the service handles, settings.
#include <atomic>
#include <chrono>
#include <memory>

#include "messages/auth_actor.hpp"
#include "messages/cache_actor.hpp"
#include "messages/metadata_actor.hpp"
#include "messages/nft_actor.hpp"
#include "messages/transcode_actor.hpp"
#include "messages/upload_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {

struct gateway_context {
  caf::actor_system* system = nullptr;
  http_settings http;
  uint64_t tus_max_size = 0;
  uint64_t quota_bytes = 0;  // per owner; 0: none
  std::string data_dir;
  std::shared_ptr<const std::string> secret;  // signs playback tokens
  video_store_actor videos;
  job_store_actor jobs;
  upload_manager_actor uploads;
  transcode_actor transcoder;
  auth_actor auth;
  nft_actor nft;
  std::vector<cache_shard_actor> cache;
  // Set by the node once every role is up; /health/ready reports it.
  std::shared_ptr<std::atomic<bool>> started = std::make_shared<std::atomic<bool>>(false);

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(http.actor_timeout_ms);
  }
};

}  // namespace sg
