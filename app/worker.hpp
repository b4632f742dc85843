#pragma once
// `streamgate worker`: a transcode worker process. The node launches it (it
// is not meant to be started by hand), it connects back to the node's
// launcher on loopback and runs the jobs it is given, under the memory limit
// it was started with. docs/architecture.md §Transcoding.
#include <string>
#include <vector>

namespace sg {
/// Returns the process exit code.
int run_worker(const std::vector<std::string>& args);
}
