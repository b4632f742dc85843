#pragma once
// The arithmetic of playback analytics, apart from the actor that runs it:
// events folded into per-(video, hour) buckets, buckets turned into stored
// rows, stored rows into a report. docs/architecture.md §Analytics.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "messages/analytics_actor.hpp"

namespace sg::views {

constexpr int64_t hour_ms = 3'600'000;
/// Beyond these an event's figures are clamped (a player reports every 10 s).
constexpr int64_t max_watched_ms = 60'000;
constexpr int64_t max_rebuffer_ms = 600'000;
/// A view that ends past this share of the video counts as completed.
constexpr double completion_share = 0.9;

/// What a node holds of one video's hour before it is written.
struct bucket {
  view_stats stats;
  std::vector<int64_t> end_positions_ms;  // judged against the duration when written
  std::set<std::string> started, ended;   // view ids: a retried report counts once
};

using bucket_key = std::pair<std::string, int64_t>;  // video id, hour start
using buckets = std::map<bucket_key, bucket>;

/// The viewer's 64-bit hash under the day's salt (SHA-256, so every node
/// computes the same one).
uint64_t viewer_hash(const std::string& salt, const std::string& viewer);

/// Folds one event of a viewer into `into` (by the event's video and hour).
void fold(buckets& into, const view_event& e, uint64_t viewer);

/// The rows a bucket writes: the video's hour and its owner's (counts only).
std::vector<view_stats_row> rows_of(const bucket_key& key, const bucket& b, const std::string& owner,
                                    int64_t duration_ms);

/// A report from a video's stored rows over [from, to) in steps of `step`.
analytics_report report_of(const std::vector<view_stats_row>& rows, int64_t from_ms, int64_t step_ms);

/// An owner's videos by watch time from the owner's rows, the first `limit`.
std::vector<video_rank> ranks_of(const std::vector<view_stats_row>& rows, size_t limit);

}  // namespace sg::views
