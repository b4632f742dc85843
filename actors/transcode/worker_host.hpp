#pragma once
// The actor of a `streamgate worker` process: it runs one job at a time on a
// thread of its own, answers progress polls and cancels by message. It ends
// when the node that launched it goes away.
#include "messages/transcode_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
worker_host_actor spawn_worker_host(caf::actor_system& sys, worker_launcher_actor launcher);
}
