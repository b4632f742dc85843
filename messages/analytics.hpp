#pragma once
// Playback analytics: what a player reports of a view, and what is kept of
// it: per video and hour, counts and sketches that merge across hours and
// nodes (runtime/sketches.hpp). No viewer is kept, only a daily-salted hash
// folded into a HyperLogLog. docs/architecture.md §Analytics.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <nlohmann/json_fwd.hpp>

#include "messages/states.hpp"

namespace sg {

struct view_event {
  std::string video_id;
  std::string view_id;
  view_event_kind type = view_event_kind::heartbeat;
  int64_t position_ms = 0;
  int64_t watched_ms = 0;   // played since the view's previous event (heartbeat, end)
  int64_t startup_ms = -1;  // start: from play to the first frame; -1: not measured
  int64_t rebuffer_ms = 0;  // rebuffer: how long playback stalled
  std::string rendition;    // the rendition playing ("720p")
  int64_t at_ms = 0;        // when the node received it
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, view_event& x) {
  return f(caf::meta::type_name("view_event"), x.video_id, x.view_id, x.type, x.position_ms, x.watched_ms,
           x.startup_ms, x.rebuffer_ms, x.rendition, x.at_ms);
}

/// Renditions a row counts apart; the rest count as "other".
constexpr size_t max_renditions = 12;

/// One video's views in one hour, or a sum of such.
struct view_stats {
  uint64_t plays = 0;
  uint64_t completed = 0;  // views that ended past 90 % of the video
  uint64_t watch_ms = 0;
  uint64_t rebuffers = 0;
  uint64_t rebuffer_ms = 0;
  std::vector<uint32_t> startup;  // sketch::durations buckets
  std::map<std::string, uint64_t> rendition_ms;
  std::string viewers;  // sketch::hll registers (empty: none counted)

  /// Adds `other` (counts add, sketches merge).
  void merge(const view_stats& other);
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, view_stats& x) {
  return f(caf::meta::type_name("view_stats"), x.plays, x.completed, x.watch_ms, x.rebuffers, x.rebuffer_ms,
           x.startup, x.rendition_ms, x.viewers);
}

/// A stored row: its key in the analytics table and its figures.
struct view_stats_row {
  std::string key;
  view_stats stats;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, view_stats_row& x) {
  return f(caf::meta::type_name("view_stats_row"), x.key, x.stats);
}

/// A row as stored: counts, and the registers as one character each.
void to_json(nlohmann::json& j, const view_stats& s);
void from_json(const nlohmann::json& j, view_stats& s);

/// Row keys (hours as 13-digit Unix milliseconds, so keys sort by time).
namespace analytics_keys {
std::string video_hour(const std::string& video_id, int64_t hour_ms);
std::string owner_hour(const std::string& owner, int64_t hour_ms, const std::string& video_id);
std::string video_prefix(const std::string& video_id);
std::string owner_prefix(const std::string& owner);
/// The hour of a key made above, and the video id of an owner row.
int64_t hour_of(const std::string& key);
std::string video_of_owner_row(const std::string& key);
}  // namespace analytics_keys

}  // namespace sg
