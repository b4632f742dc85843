#pragma once
#include "messages/nft_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// A one-shot worker on its own thread (HTTP calls block): answers one check,
/// trying the endpoints in order, each call with `timeout_ms`.
rpc_worker_actor spawn_rpc_worker(caf::actor_system& sys, int timeout_ms);
}
