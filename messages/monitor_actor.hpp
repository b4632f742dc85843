#pragma once
// monitor: samples the node process and its data disk into gauges
// (streamgate_process_*, streamgate_data_free_bytes) for /metrics, and
// answers for the node's recent log lines (members ask each other's).
#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace sg {

struct process_sample {
  uint64_t resident_bytes = 0;
  uint64_t cpu_ms = 0;
  uint64_t open_files = 0;
  uint64_t data_free_bytes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, process_sample& x) {
  return f(caf::meta::type_name("process_sample"), x.resident_bytes, x.cpu_ms, x.open_files,
           x.data_free_bytes);
}

/// Which recent log lines: at least `min_level` ("debug".."error"), of one
/// component (empty: any), written since `since_ms` (unix ms), the newest
/// `limit`.
struct log_query {
  std::string min_level = "debug";
  std::string component;
  int64_t since_ms = 0;
  uint32_t limit = 1000;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_query& x) {
  return f(caf::meta::type_name("log_query"), x.min_level, x.component, x.since_ms, x.limit);
}

/// Log lines as written (JSON objects, one per entry), oldest first.
struct log_lines {
  std::vector<std::string> lines;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, log_lines& x) {
  return f(caf::meta::type_name("log_lines"), x.lines);
}

using monitor_actor = caf::typed_actor<
  // The latest sample (taken every few seconds).
  caf::replies_to<caf::get_atom>::with<process_sample>,
  // The node's recent log lines that match.
  caf::replies_to<logs_atom, log_query>::with<log_lines>>;

}  // namespace sg
