// streamgate: one binary; `streamgate node` runs a node.
#include <malloc.h>

#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/certs.hpp"
#include "app/node.hpp"
#include "app/shell.hpp"
#include "app/worker.hpp"
#include "runtime/config.hpp"

namespace {

const char* usage =
  "StreamGate: a self-hosted, token-gated video platform.\n\n"
  "Usage:\n"
  "  streamgate node [options]   run a node (streamgate node --help lists options)\n"
  "  streamgate certs COMMAND    make the cluster's certificates (streamgate certs --help)\n"
  "  streamgate shell [options]  the admin shell of a running node (streamgate shell --help)\n"
  "  streamgate --help           this text\n";

// Upload chunks (max_chunk_bytes) and the CAF buffers that carry them are
// about 1 MiB. glibc's defaults map such a block afresh or trim it off the
// heap when it is freed, so the next one is page-faulted and zeroed by the
// kernel again: up to ~100 faults per MiB a node relays, about half of a
// relaying node's CPU (docs/research/patch-forwarding.md). Heaps keep up to
// 64 MiB free.
void keep_large_buffers_in_heap() {
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that closes a TLS connection while OpenSSL writes to it (etcd,
  // JSON-RPC, S3 over https) would otherwise kill the process with SIGPIPE;
  // the failed write is handled where it happens.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "node") {
    keep_large_buffers_in_heap();
    auto parsed = sg::parse_node_config({args.begin() + 1, args.end()});
    if (!parsed.run) {
      (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << "\n";
      return parsed.exit_code;
    }
    return sg::run_node(parsed.config);
  }
  if (args[0] == "certs")
    return sg::certs::run({args.begin() + 1, args.end()});
  if (args[0] == "shell")
    return sg::run_shell({args.begin() + 1, args.end()});
  if (args[0] == "worker")
    return sg::run_worker({args.begin() + 1, args.end()});
  std::cerr << "unknown command '" << args[0] << "'\n\n" << usage;
  return 2;
}
