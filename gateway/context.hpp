#pragma once
// What every route needs: the actor system, the services by name (kept
// current from the directory by the gateway actor), settings.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "messages/directory.hpp"
#include "runtime/media_files.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {

/// The gateway's peers, read by HTTP threads while the gateway actor writes
/// the directory's updates into it.
class peer_board {
public:
  void update(service s, caf::actor h) {
    std::lock_guard<std::mutex> guard{mtx_};
    peers_.update(s, std::move(h));
  }
  template <service S>
  typename service_handle<S>::type get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return peers_.get<S>();
  }
  bool has(service s) const {
    std::lock_guard<std::mutex> guard{mtx_};
    return peers_.has(s);
  }

private:
  mutable std::mutex mtx_;
  peer_set peers_;
};

/// What /health/ready reports of the node's roles.
struct role_report {
  std::vector<std::string> serving;
  std::vector<std::string> missing;
  std::vector<service> provided;  // by the roles served here: ready once all are known
};

struct gateway_context {
  caf::actor_system* system = nullptr;
  http_settings http;
  uint64_t tus_max_size = 0;
  uint64_t quota_bytes = 0;  // per owner; 0: none
  bool serve_media = true;   // the stream role: playback URLs and segments
  std::shared_ptr<media_files> media;  // renditions, read in-process on the segment path
  std::shared_ptr<const std::string> secret;  // signs playback tokens
  directory_actor directory;
  std::shared_ptr<peer_board> peers = std::make_shared<peer_board>();
  role_report roles;
  // Set by the node once every role is up; /health/ready reports it.
  std::shared_ptr<std::atomic<bool>> started = std::make_shared<std::atomic<bool>>(false);

  template <service S>
  typename service_handle<S>::type peer() const {
    return peers->get<S>();
  }

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(http.actor_timeout_ms);
  }
};

}  // namespace sg
