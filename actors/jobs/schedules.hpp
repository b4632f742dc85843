#pragma once
// Scheduled jobs as data, and the claim that makes a cluster-scope one run on
// one member per period (docs/architecture.md §Jobs): the member that moves
// the record's next run forward by compare-and-set runs it.
#include <cstdint>
#include <optional>
#include <string>

#include "messages/jobs_actor.hpp"

namespace sg::schedules {

struct definition {
  std::string name;
  std::string summary;
  std::string scope;  // "cluster" or "node"
  int64_t every_ms = 0;
};

/// Its record's key: one per cluster, or one per node.
std::string key_of(const definition& d, const std::string& node);

std::string to_text(const schedule_info& s);
std::optional<schedule_info> from_text(const std::string& text);

/// The record that claims the run when it is due at `now_ms` (or `force`d):
/// stamped with this node, last run now, next run a period later. Nothing
/// when it is not due.
std::optional<schedule_info> claim(const definition& d, const std::optional<schedule_info>& stored,
                                   const std::string& node, int64_t now_ms, bool force);

}  // namespace sg::schedules
