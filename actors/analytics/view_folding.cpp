#include "actors/analytics/view_folding.hpp"

#include <algorithm>
#include <cstring>

#include <openssl/sha.h>

#include "messages/sketches.hpp"

namespace sg::views {

uint64_t viewer_hash(const std::string& salt, const std::string& viewer) {
  std::string input = salt + '\n' + viewer;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  uint64_t h = 0;
  std::memcpy(&h, digest, sizeof h);
  return h;
}

void fold(buckets& into, const view_event& e, uint64_t viewer) {
  auto& b = into[{e.video_id, e.at_ms - e.at_ms % hour_ms}];
  auto& s = b.stats;
  sketch::hll::add(s.viewers, viewer);
  auto watched = static_cast<uint64_t>(std::clamp<int64_t>(e.watched_ms, 0, max_watched_ms));
  switch (e.type) {
    case view_event_kind::start:
      if (!b.started.insert(e.view_id).second)
        break;
      ++s.plays;
      if (e.startup_ms >= 0) {
        s.startup.resize(sketch::durations::bucket_count());
        ++s.startup[sketch::durations::bucket_of(e.startup_ms)];
      }
      break;
    case view_event_kind::end:
      if (b.ended.insert(e.view_id).second)
        b.end_positions_ms.push_back(e.position_ms);
      [[fallthrough]];
    case view_event_kind::heartbeat:
      s.watch_ms += watched;
      if (!e.rendition.empty() && watched > 0)
        // A player may send any name: a row must not grow with them.
        s.rendition_ms[s.rendition_ms.count(e.rendition) || s.rendition_ms.size() < max_renditions ? e.rendition
                                                                                                   : "other"] += watched;
      break;
    case view_event_kind::rebuffer:
      ++s.rebuffers;
      s.rebuffer_ms += static_cast<uint64_t>(std::clamp<int64_t>(e.rebuffer_ms, 0, max_rebuffer_ms));
      break;
  }
}

std::vector<view_stats_row> rows_of(const bucket_key& key, const bucket& b, const std::string& owner,
                                    int64_t duration_ms) {
  auto stats = b.stats;
  if (duration_ms > 0)
    for (auto at : b.end_positions_ms)
      stats.completed += static_cast<double>(at) >= completion_share * static_cast<double>(duration_ms);
  view_stats counts;
  counts.plays = stats.plays;
  counts.completed = stats.completed;
  counts.watch_ms = stats.watch_ms;
  return {{analytics_keys::video_hour(key.first, key.second), std::move(stats)},
          {analytics_keys::owner_hour(owner, key.second, key.first), std::move(counts)}};
}

analytics_report report_of(const std::vector<view_stats_row>& rows, int64_t from_ms, int64_t step_ms) {
  view_stats total;
  std::map<int64_t, analytics_point> points;
  for (const auto& row : rows) {
    total.merge(row.stats);
    auto hour = analytics_keys::hour_of(row.key);
    auto start = from_ms + std::max<int64_t>(0, hour - from_ms) / step_ms * step_ms;
    auto& p = points[start];
    p.start_ms = start;
    p.plays += row.stats.plays;
    p.watch_ms += row.stats.watch_ms;
  }
  analytics_report r;
  r.plays = total.plays;
  total.completed = std::min(total.completed, total.plays);  // an end whose start was lost
  r.unique_viewers = sketch::hll::estimate(total.viewers);
  r.watch_ms = total.watch_ms;
  r.completed = total.completed;
  r.rebuffers = total.rebuffers;
  r.rebuffer_ms = total.rebuffer_ms;
  r.startup_p50_ms = sketch::durations::quantile(total.startup, 0.5);
  r.startup_p95_ms = sketch::durations::quantile(total.startup, 0.95);
  for (const auto& [name, ms] : total.rendition_ms)
    r.renditions.push_back({name, ms});
  std::sort(r.renditions.begin(), r.renditions.end(),
            [](const rendition_time& a, const rendition_time& b) { return a.watch_ms > b.watch_ms; });
  for (auto& [_, p] : points)
    r.series.push_back(p);
  return r;
}

std::vector<video_rank> ranks_of(const std::vector<view_stats_row>& rows, size_t limit) {
  std::map<std::string, video_rank> by_video;
  for (const auto& row : rows) {
    auto id = analytics_keys::video_of_owner_row(row.key);
    auto& r = by_video[id];
    r.video_id = id;
    r.plays += row.stats.plays;
    r.watch_ms += row.stats.watch_ms;
  }
  std::vector<video_rank> out;
  for (auto& [_, r] : by_video)
    out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const video_rank& a, const video_rank& b) {
    return a.watch_ms != b.watch_ms ? a.watch_ms > b.watch_ms : a.video_id < b.video_id;
  });
  if (out.size() > limit)
    out.resize(limit);
  return out;
}

}  // namespace sg::views
