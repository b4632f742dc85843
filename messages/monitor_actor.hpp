#pragma once
// monitor: samples the node process and its data disk into gauges
// (streamgate_process_*, streamgate_data_free_bytes) for /metrics.
#include <cstdint>

#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

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

using monitor_actor = caf::typed_actor<
  // The latest sample (taken every few seconds).
  caf::replies_to<caf::get_atom>::with<process_sample>>;

}  // namespace sg
