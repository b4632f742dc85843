#pragma once
// monitor: samples the node process and its data disk into gauges
// (streamgate_process_*, streamgate_data_free_bytes) for /metrics, evaluates
// the node's alert rules, and answers for its alerts and its recent log lines
// (members ask each other's).
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

/// One alert rule's state on a node: `pending` (its condition holds, not yet
/// for long enough), `firing`, or `resolved` (it fired, then stopped holding;
/// kept an hour). Rules whose condition does not hold are not listed.
struct alert_info {
  std::string name;
  std::string state;
  int64_t since_ms = 0;  // entered this state
  int64_t until_ms = 0;  // resolved: when it stopped firing
  double value = 0;      // the measured signal, last time it was evaluated
  double threshold = 0;
  std::string summary;   // what the rule watches, in words
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_info& x) {
  return f(caf::meta::type_name("alert_info"), x.name, x.state, x.since_ms, x.until_ms, x.value,
           x.threshold, x.summary);
}

struct alert_list {
  std::vector<alert_info> alerts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_list& x) {
  return f(caf::meta::type_name("alert_list"), x.alerts);
}

using monitor_actor = caf::typed_actor<
  // The latest sample (taken every few seconds).
  caf::replies_to<caf::get_atom>::with<process_sample>,
  // The node's recent log lines that match.
  caf::replies_to<logs_atom, log_query>::with<log_lines>,
  // The node's alerts: pending, firing and recently resolved.
  caf::replies_to<alerts_atom>::with<alert_list>,
  // The node's metrics in Prometheus text, the families whose names start
  // with the prefix ("": all).
  caf::replies_to<caf::get_atom, std::string>::with<std::string>>;

}  // namespace sg
