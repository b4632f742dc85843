#pragma once
// Scheduled jobs as data, and the claim that makes a cluster-scope one run on
// one member per period (docs/architecture.md §Jobs): the member that moves
// the record's next run forward by compare-and-set runs it.
#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

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

/// The record once the claimed run ended: a failure is retried after a
/// doubling backoff (never later than the next period) until `max_attempts`
/// runs failed in a row.
schedule_info settle(schedule_info claimed, const caf::expected<std::string>& detail, uint32_t max_attempts,
                     int64_t backoff_ms);

/// The record with its next run moved to `at_ms` (a delayed run).
schedule_info delay(const definition& d, const std::optional<schedule_info>& stored, int64_t at_ms);

}  // namespace sg::schedules
