#pragma once
// `streamgate shell`: the actor-level admin shell (docs/architecture.md
// §Admin shell). It connects to a node's admin actor over CAF and runs
// commands from -c, or line by line from its input.
#include <string>
#include <vector>

namespace sg {

/// The arguments after `streamgate shell`; returns the exit code.
int run_shell(const std::vector<std::string>& args);

}  // namespace sg
