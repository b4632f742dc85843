#define BOOST_TEST_MODULE analytics
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "actors/analytics/view_folding.hpp"
#include "messages/sketches.hpp"

using namespace sg;

namespace {
uint64_t hash_of(uint64_t i) { return views::viewer_hash("salt", "viewer-" + std::to_string(i)); }

view_event event(view_event_kind type, int64_t at_ms) {
  view_event e;
  e.video_id = "0123456789abcdef";
  e.view_id = "view-0001";
  e.type = type;
  e.at_ms = at_ms;
  return e;
}
}  // namespace

BOOST_AUTO_TEST_CASE(hyperloglog_counts_distinct_viewers_within_its_error) {
  for (uint64_t n : {1u, 10u, 1000u, 50000u}) {
    std::string regs;
    for (uint64_t i = 0; i < n; ++i) {
      sketch::hll::add(regs, hash_of(i));
      sketch::hll::add(regs, hash_of(i));  // the same viewer twice counts once
    }
    auto estimate = static_cast<double>(sketch::hll::estimate(regs));
    BOOST_TEST(std::abs(estimate - n) <= std::max(1.0, 0.1 * n), n << " counted as " << estimate);
  }
  BOOST_TEST(sketch::hll::estimate("") == 0u);
}

BOOST_AUTO_TEST_CASE(hyperloglog_merge_is_a_union) {
  std::string a, b, both;
  for (uint64_t i = 0; i < 3000; ++i) {
    sketch::hll::add(i < 2000 ? a : b, hash_of(i));
    sketch::hll::add(both, hash_of(i));
    if (i >= 1000 && i < 2000)
      sketch::hll::add(b, hash_of(i));  // overlap: counted once in the union
  }
  sketch::hll::merge(a, b);
  BOOST_TEST(a == both);
  sketch::hll::merge(a, "garbage");  // not a sketch: ignored
  BOOST_TEST(a == both);
}

BOOST_AUTO_TEST_CASE(duration_quantiles_come_from_log_buckets) {
  std::vector<uint32_t> counts;
  counts.resize(sketch::durations::bucket_count());
  for (int ms = 1; ms <= 1000; ++ms)
    ++counts[sketch::durations::bucket_of(ms)];
  auto p50 = sketch::durations::quantile(counts, 0.5);
  auto p95 = sketch::durations::quantile(counts, 0.95);
  BOOST_TEST((p50 >= 500 && p50 <= 500 * 1.25 + 1), p50);
  BOOST_TEST((p95 >= 950 && p95 <= 950 * 1.25 + 1), p95);
  BOOST_TEST(sketch::durations::quantile({}, 0.5) == 0);
  BOOST_TEST(sketch::durations::bucket_of(-5) == 0u);
  BOOST_TEST(sketch::durations::bucket_of(int64_t{1} << 40) == sketch::durations::bucket_count() - 1);
}

BOOST_AUTO_TEST_CASE(events_fold_into_hour_buckets_and_rows) {
  views::buckets b;
  const int64_t hour = 10 * views::hour_ms;
  auto start = event(view_event_kind::start, hour + 5);
  start.startup_ms = 300;
  views::fold(b, start, hash_of(1));
  auto beat = event(view_event_kind::heartbeat, hour + 10'000);
  beat.watched_ms = 10'000;
  beat.rendition = "720p";
  views::fold(b, beat, hash_of(1));
  auto lie = beat;
  lie.watched_ms = 10'000'000;  // clamped to a minute
  views::fold(b, lie, hash_of(1));
  auto end = event(view_event_kind::end, hour + views::hour_ms + 1);  // the next hour
  end.position_ms = 9'500;
  end.watched_ms = 5'000;
  views::fold(b, end, hash_of(2));
  auto stall = event(view_event_kind::rebuffer, hour + 20);
  stall.rebuffer_ms = 700;
  views::fold(b, stall, hash_of(1));
  BOOST_REQUIRE_EQUAL(b.size(), 2u);

  views::fold(b, start, hash_of(1));  // the same view's start again: one play
  for (int i = 0; i < 40; ++i) {     // any names a player sends: a bounded row
    auto odd = beat;
    odd.watched_ms = 1;
    odd.rendition = "r" + std::to_string(i);
    views::fold(b, odd, hash_of(1));
  }
  auto first = b.at({"0123456789abcdef", hour});
  BOOST_TEST(first.stats.rendition_ms.size() <= max_renditions + 1);
  BOOST_TEST(first.stats.rendition_ms.at("other") == 40u - (max_renditions - 1));
  first.stats.watch_ms -= 40;
  first.stats.rendition_ms.erase("other");
  for (int i = 0; i < 40; ++i)
    first.stats.rendition_ms.erase("r" + std::to_string(i));
  BOOST_TEST(first.stats.plays == 1u);
  BOOST_TEST(first.stats.watch_ms == 70'000u);
  BOOST_TEST(first.stats.rendition_ms.at("720p") == 70'000u);
  BOOST_TEST(first.stats.rebuffers == 1u);
  BOOST_TEST(first.stats.rebuffer_ms == 700u);

  auto rows = views::rows_of({"0123456789abcdef", hour + views::hour_ms}, b.at({"0123456789abcdef", hour + views::hour_ms}),
                             "0xowner", 10'000);
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_TEST(rows[0].key == analytics_keys::video_hour("0123456789abcdef", hour + views::hour_ms));
  BOOST_TEST(rows[0].stats.completed == 1u);  // ended at 95 %
  BOOST_TEST(rows[1].key == analytics_keys::owner_hour("0xowner", hour + views::hour_ms, "0123456789abcdef"));
  BOOST_TEST(rows[1].stats.viewers.empty());  // owner rows hold counts only
  BOOST_TEST(analytics_keys::hour_of(rows[1].key) == hour + views::hour_ms);
  BOOST_TEST(analytics_keys::video_of_owner_row(rows[1].key) == "0123456789abcdef");

  // A stored row reads back as it was written.
  auto stored = nlohmann::json(first.stats).get<view_stats>();
  BOOST_TEST(stored.viewers == first.stats.viewers);
  BOOST_TEST(stored.startup == first.stats.startup);
  BOOST_TEST(stored.watch_ms == first.stats.watch_ms);
}

BOOST_AUTO_TEST_CASE(reports_sum_rows_into_steps) {
  view_stats a;
  a.plays = 2;
  a.completed = 1;
  a.watch_ms = 1000;
  a.rendition_ms = {{"720p", 900}, {"360p", 100}};
  sketch::hll::add(a.viewers, hash_of(1));
  view_stats b = a;
  sketch::hll::add(b.viewers, hash_of(2));
  const int64_t day = 24 * views::hour_ms;
  std::vector<view_stats_row> rows{{analytics_keys::video_hour("v", day + views::hour_ms), a},
                                   {analytics_keys::video_hour("v", 2 * day + 3 * views::hour_ms), b}};
  auto r = views::report_of(rows, day, day);
  BOOST_TEST(r.plays == 4u);
  BOOST_TEST(r.completed == 2u);
  BOOST_TEST(r.unique_viewers == 2u);
  BOOST_TEST(r.renditions.front().name == "720p");
  BOOST_REQUIRE_EQUAL(r.series.size(), 2u);
  BOOST_TEST(r.series[1].start_ms == 2 * day);

  std::vector<view_stats_row> owner_rows{{analytics_keys::owner_hour("o", day, "aaaa"), a},
                                         {analytics_keys::owner_hour("o", day, "bbbb"), b},
                                         {analytics_keys::owner_hour("o", 2 * day, "bbbb"), b}};
  auto ranks = views::ranks_of(owner_rows, 1);
  BOOST_REQUIRE_EQUAL(ranks.size(), 1u);
  BOOST_TEST(ranks[0].video_id == "bbbb");
  BOOST_TEST(ranks[0].watch_ms == 2000u);
}
