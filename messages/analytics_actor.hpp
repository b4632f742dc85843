#pragma once
// The analytics aggregator: players' events in, per-hour figures out. It
// folds events in memory and merges them into the stored rows every few
// seconds; a report first writes what it holds of that video.
// docs/architecture.md §Analytics.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/analytics.hpp"
#include "messages/atoms.hpp"
#include "messages/video.hpp"

namespace sg {

struct rendition_time {
  std::string name;
  uint64_t watch_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rendition_time& x) {
  return f(caf::meta::type_name("rendition_time"), x.name, x.watch_ms);
}

/// One point of a report's series: the figures of [start_ms, start_ms + step).
struct analytics_point {
  int64_t start_ms = 0;
  uint64_t plays = 0;
  uint64_t watch_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analytics_point& x) {
  return f(caf::meta::type_name("analytics_point"), x.start_ms, x.plays, x.watch_ms);
}

struct analytics_report {
  uint64_t plays = 0;
  uint64_t unique_viewers = 0;  // HyperLogLog estimate, about 3 % off
  uint64_t watch_ms = 0;
  uint64_t completed = 0;
  uint64_t rebuffers = 0;
  uint64_t rebuffer_ms = 0;
  int64_t startup_p50_ms = 0;
  int64_t startup_p95_ms = 0;
  std::vector<rendition_time> renditions;  // most watched first
  std::vector<analytics_point> series;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, analytics_report& x) {
  return f(caf::meta::type_name("analytics_report"), x.plays, x.unique_viewers, x.watch_ms, x.completed,
           x.rebuffers, x.rebuffer_ms, x.startup_p50_ms, x.startup_p95_ms, x.renditions, x.series);
}

struct video_rank {
  std::string video_id;
  uint64_t plays = 0;
  uint64_t watch_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, video_rank& x) {
  return f(caf::meta::type_name("video_rank"), x.video_id, x.plays, x.watch_ms);
}

using analytics_actor = caf::typed_actor<
  // A player's events, seen from `viewer` (a wallet, or an address and a user
  // agent: hashed with the day's salt, never kept); answers how many it took.
  caf::replies_to<event_atom, std::vector<view_event>, std::string>::with<uint64_t>,
  // The video's figures over [from, to), its series in steps of `step` ms.
  caf::replies_to<caf::get_atom, analytics_atom, video, int64_t, int64_t, int64_t>::with<analytics_report>,
  // The owner's videos by watch time over [from, to), the first `limit`.
  caf::replies_to<list_atom, analytics_atom, std::string, int64_t, int64_t, uint32_t>::with<std::vector<video_rank>>,
  // Writes what it holds (a node that stops calls it).
  caf::replies_to<flush_atom>::with<caf::ok_atom>>;

}  // namespace sg
