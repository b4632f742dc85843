#pragma once
#include <atomic>
#include <memory>

#include "messages/transcode_actor.hpp"
#include "runtime/config.hpp"

namespace caf { class actor_system; }

namespace sg {
/// A worker on a thread of its own (libav blocks). `cancel` is shared with the
/// supervisor on this node: set, it stops the encoders within a frame.
transcode_worker_actor spawn_transcode_worker(caf::actor_system& sys, transcode_actor supervisor,
                                              const transcode_settings& settings,
                                              std::shared_ptr<std::atomic<bool>> cancel);
}
