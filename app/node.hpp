#pragma once
#include "runtime/config.hpp"

namespace sg {
/// Runs a node until SIGINT or SIGTERM; returns the process exit code.
int run_node(node_config config);
}
