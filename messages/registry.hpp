#pragma once
namespace caf { class actor_system_config; }

namespace sg {
/// Registers every message type and our error category, once per process.
/// Every node must call it: remote handles only match with the same types.
void register_messages(caf::actor_system_config& cfg);
}
