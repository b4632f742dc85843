#pragma once
#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "messages/monitor_actor.hpp"

namespace caf { class actor_system; }

namespace sg {
/// Samples this process and the file system of `data_dir` every `interval`,
/// and evaluates the alert rules (the defaults with `alert_overrides`, each
/// NAME=THRESHOLD[/FOR_SECONDS] or NAME=off) as often; an override that names
/// no rule or reads wrong is an error.
caf::expected<monitor_actor> spawn_monitor(caf::actor_system& sys, std::string data_dir,
                                           std::chrono::seconds interval,
                                           const std::vector<std::string>& alert_overrides);
}
