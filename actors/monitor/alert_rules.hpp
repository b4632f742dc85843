#pragma once
// The node's alert rules and the states they go through (docs/architecture.md
// §Monitor). A rule reads one signal from what the node measures; its
// condition holding makes it pending, holding for `for_ms` makes it firing,
// and a firing alert whose condition stops holding is resolved.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "messages/monitor_actor.hpp"

namespace sg {

/// What the rules read, gathered once per evaluation. A signal the node does
/// not have (not clustered, no transcoder) is absent, and its rule holds not.
struct alert_signals {
  int64_t now_ms = 0;
  std::optional<double> transcode_failures;   // jobs failed in the last 5 minutes
  std::optional<double> queued_per_worker;    // queued jobs / most workers
  std::optional<double> oldest_queued_s;      // age of the job queued longest
  std::optional<double> data_free_bytes;
  std::optional<double> rpc_circuits_open;    // RPC endpoints skipped or on trial
  std::optional<double> etcd_silent_s;        // since etcd last answered a keepalive
  std::optional<double> members_down;         // members that went without leaving
};

struct alert_rule {
  std::string name;
  std::string summary;
  std::optional<double> alert_signals::*signal;
  bool below = false;  // holds when the signal is under the threshold (else at or over)
  double threshold = 0;
  int64_t for_ms = 0;  // how long it holds before it fires
  bool enabled = true;

  bool holds(const alert_signals& s) const;
};

/// The built-in rules with their default thresholds.
std::vector<alert_rule> default_alert_rules();

/// Applies `NAME=THRESHOLD`, `NAME=THRESHOLD/FOR_SECONDS` or `NAME=off`
/// (--alert, or `alert = [...]` in the config file); returns why not, or "".
std::string override_alert_rule(std::vector<alert_rule>& rules, const std::string& spec);

/// The alerts of one node across evaluations.
class alert_book {
public:
  /// How long a resolved alert stays listed.
  static constexpr int64_t keep_resolved_ms = 3'600'000;

  void evaluate(const std::vector<alert_rule>& rules, const alert_signals& signals);
  std::vector<alert_info> list() const;
  bool firing(const std::string& name) const;

private:
  std::map<std::string, alert_info> alerts_;
};

}  // namespace sg
