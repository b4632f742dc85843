// Players' events folded in memory per (video, hour) and merged into the
// stored rows every few seconds, so a busy video costs one write per flush,
// not one per heartbeat. Viewers are hashed with the day's salt as their
// events arrive; what cannot be hashed yet waits (bounded) for the salt.
// docs/architecture.md §Analytics.
#include "actors/analytics/view_aggregator.hpp"

#include <deque>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/analytics/view_folding.hpp"
#include "messages/errors.hpp"
#include "runtime/actor_stats.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

constexpr auto store_timeout = std::chrono::seconds(10);
constexpr size_t rows_per_write = 32;         // a cluster's transaction holds a bounded number of writes
constexpr size_t max_waiting_events = 10'000;  // while the day's salt is fetched
constexpr size_t max_unresolved_events = 10'000;  // while their videos are looked up
constexpr size_t max_known_videos = 100'000;

using aggregator_actor = analytics_actor::extend<directory_update, caf::reacts_to<sweep_atom>>;

// What the aggregator knows of a video: whose it is and how long.
struct video_facts {
  bool exists = false;
  std::string owner;
  int64_t duration_ms = 0;
};

struct aggregator_state {
  directory_actor directory;
  peer_set peers;
  std::chrono::milliseconds flush_every{5000};
  std::string day;  // of `salt`
  std::string salt;
  bool salt_asked = false;
  std::deque<std::pair<view_event, std::string>> waiting;  // for the salt
  // Events of videos not known yet, with their viewers' hashes: folded once
  // the video is found, dropped when it does not exist.
  std::map<std::string, std::vector<std::pair<view_event, uint64_t>>> unresolved;
  size_t unresolved_events = 0;
  views::buckets pending;  // of videos that exist only
  std::map<std::string, video_facts> videos;
  std::map<std::string, bool> asked;  // videos being looked up
  static inline const char* name = "view_aggregator";
};

using aggregator_ptr = aggregator_actor::stateful_pointer<aggregator_state>;

std::string today() { return iso8601_ms(now_ms()).substr(0, 10); }

void learn(aggregator_ptr self, const std::string& id);

// Folds an event whose video exists, holds one whose video is being looked
// up (bounded), drops one whose video does not exist; false when dropped.
bool place(aggregator_ptr self, view_event e, uint64_t viewer) {
  auto& st = self->state;
  if (auto known = st.videos.find(e.video_id); known != st.videos.end()) {
    if (known->second.exists)
      views::fold(st.pending, e, viewer);
    return known->second.exists;
  }
  if (st.unresolved_events >= max_unresolved_events)
    return false;
  auto id = e.video_id;
  st.unresolved[id].emplace_back(std::move(e), viewer);
  ++st.unresolved_events;
  learn(self, id);
  return true;
}

void fold_waiting(aggregator_ptr self) {
  auto& st = self->state;
  for (auto& [e, viewer] : st.waiting)
    place(self, std::move(e), views::viewer_hash(st.salt, viewer));
  st.waiting.clear();
}

// Room for another video's facts: those of videos that do not exist go
// first, then those with nothing pending.
void make_room(aggregator_state& st) {
  for (auto it = st.videos.begin(); it != st.videos.end() && st.videos.size() >= max_known_videos;) {
    auto next = std::next(it);
    auto held = st.pending.lower_bound({it->first, INT64_MIN});
    if (!it->second.exists || held == st.pending.end() || held->first.first != it->first)
      st.videos.erase(it);
    it = next;
  }
}

// The video's facts arrived: its held events are folded, or dropped.
void resolve(aggregator_ptr self, const std::string& id, video_facts facts) {
  auto& st = self->state;
  make_room(st);
  st.videos[id] = facts;
  auto held = st.unresolved.find(id);
  if (held == st.unresolved.end())
    return;
  st.unresolved_events -= held->second.size();
  auto events = std::move(held->second);
  st.unresolved.erase(held);
  for (auto& [e, viewer] : events)
    place(self, std::move(e), viewer);
}

// Asks the store for today's salt once the day changed (or never was).
void refresh_salt(aggregator_ptr self) {
  auto& st = self->state;
  auto store = st.peers.get<service::analytics_store>();
  if (st.salt_asked || st.day == today() || !store)
    return;
  st.salt_asked = true;
  auto day = today();
  self->request(store, store_timeout, caf::get_atom::value, analytics_atom::value, day)
    .then(
      [self, day](const std::string& salt) {
        self->state.salt_asked = false;
        self->state.day = day;
        self->state.salt = salt;
        fold_waiting(self);
      },
      [self](const caf::error& e) {
        self->state.salt_asked = false;
        log::warn("analytics", "no salt for today's viewers yet", {{"error", to_string(e)}});
      });
}

// Looks a video up once: its owner and duration decide its rows. Another
// failure than "not found" leaves its events held; the next flush asks again.
void learn(aggregator_ptr self, const std::string& id) {
  auto& st = self->state;
  auto videos = st.peers.get<service::video_store>();
  if (st.videos.count(id) || st.asked.count(id) || !videos)
    return;
  st.asked[id] = true;
  self->request(videos, store_timeout, caf::get_atom::value, video_atom::value, id)
    .then([self, id](const video& v) {
            self->state.asked.erase(id);
            resolve(self, id, {true, v.owner, v.duration_ms});
          },
          [self, id](const caf::error& e) {
            self->state.asked.erase(id);
            if (e == errc::not_found)
              resolve(self, id, {});
          });
}

// Writes the buckets `which` selects whose video is known; a failed write
// folds its buckets back in for the next flush.
template <class Which>
void flush(aggregator_ptr self, Which which) {
  auto& st = self->state;
  auto store = st.peers.get<service::analytics_store>();
  if (!store)
    return;
  std::vector<view_stats_row> rows;
  views::buckets sent;
  auto write = [&] {
    if (rows.empty())
      return;
    self->request(store, store_timeout, caf::put_atom::value, analytics_atom::value, std::move(rows))
      .then([](caf::ok_atom) {},
            [self, back = std::move(sent)](const caf::error& e) mutable {
              // A timeout may still have been written: dropping it is a
              // smaller error than counting it twice.
              log::warn("analytics", e == caf::sec::request_timeout ? "figures may be lost" : "figures kept for the next flush",
                        {{"error", to_string(e)}});
              if (e == caf::sec::request_timeout)
                return;
              for (auto& [key, b] : back) {
                auto& into = self->state.pending[key];
                into.stats.merge(b.stats);
                into.end_positions_ms.insert(into.end_positions_ms.end(), b.end_positions_ms.begin(),
                                             b.end_positions_ms.end());
              }
            });
    rows = {};
    sent = {};
  };
  for (const auto& [id, _] : st.unresolved)
    learn(self, id);
  for (auto it = st.pending.begin(); it != st.pending.end();) {
    auto facts = st.videos.find(it->first.first);
    if (!which(it->first.first) || facts == st.videos.end()) {
      ++it;  // kept: make_room never forgets a video with pending figures
      continue;
    }
    for (auto& row : views::rows_of(it->first, it->second, facts->second.owner, facts->second.duration_ms))
      rows.push_back(std::move(row));
    sent.emplace(it->first, std::move(it->second));
    it = st.pending.erase(it);
    if (rows.size() >= rows_per_write)
      write();
  }
  write();
}

aggregator_actor::behavior_type aggregator(aggregator_ptr self, directory_actor directory,
                                           std::chrono::milliseconds flush_every) {
  self->state.directory = directory;
  self->state.flush_every = flush_every;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, flush_every, sweep_atom::value);
  // A node that stops writes what it holds (the store stops after it).
  self->set_exit_handler([self](caf::exit_msg& m) {
    flush(self, [](const std::string&) { return true; });
    self->quit(m.reason);
  });
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (!sent_by(self, self->state.directory))
        return;
      self->state.peers.update(s, std::move(h));
      refresh_salt(self);
    },
    [self](sweep_atom) {
      refresh_salt(self);
      flush(self, [](const std::string&) { return true; });
      self->delayed_send(self, self->state.flush_every, sweep_atom::value);
    },
    [self](event_atom, std::vector<view_event>& events, const std::string& viewer) -> uint64_t {
      auto& st = self->state;
      uint64_t taken = 0;
      bool salted = st.day == today();
      for (auto& e : events) {
        e.at_ms = now_ms();
        if (salted) {
          taken += place(self, std::move(e), views::viewer_hash(st.salt, viewer));
        } else if (st.waiting.size() < max_waiting_events) {
          st.waiting.emplace_back(std::move(e), viewer);
          ++taken;
        }
      }
      refresh_salt(self);
      return taken;
    },
    [self](caf::get_atom, analytics_atom, const video& v, int64_t from, int64_t to,
           int64_t step) -> caf::result<analytics_report> {
      auto store = self->state.peers.get<service::analytics_store>();
      if (!store)
        return make_error(errc::unavailable, "no analytics store is running");
      resolve(self, v.id, {true, v.owner, v.duration_ms});
      // Written first: the store answers in the order it was asked.
      flush(self, [&](const std::string& id) { return id == v.id; });
      auto promise = self->make_response_promise<analytics_report>();
      self->request(store, store_timeout, list_atom::value, analytics_atom::value,
                    analytics_keys::video_hour(v.id, from - from % views::hour_ms), analytics_keys::video_hour(v.id, to))
        .then([promise, from, step](const std::vector<view_stats_row>& rows) mutable {
                promise.deliver(views::report_of(rows, from, step));
              },
              [promise](const caf::error& e) mutable { promise.deliver(e); });
      return promise;
    },
    [self](list_atom, analytics_atom, const std::string& owner, int64_t from, int64_t to,
           uint32_t limit) -> caf::result<std::vector<video_rank>> {
      auto store = self->state.peers.get<service::analytics_store>();
      if (!store)
        return make_error(errc::unavailable, "no analytics store is running");
      flush(self, [](const std::string&) { return true; });
      auto promise = self->make_response_promise<std::vector<video_rank>>();
      self->request(store, store_timeout, list_atom::value, analytics_atom::value,
                    analytics_keys::owner_hour(owner, from - from % views::hour_ms, ""),
                    analytics_keys::owner_hour(owner, to, ""))
        .then([promise, limit](const std::vector<view_stats_row>& rows) mutable {
                promise.deliver(views::ranks_of(rows, limit));
              },
              [promise](const caf::error& e) mutable { promise.deliver(e); });
      return promise;
    },
    [self](flush_atom) {
      flush(self, [](const std::string&) { return true; });
      return caf::ok_atom::value;
    },
  };
}

}  // namespace

analytics_actor spawn_view_aggregator(caf::actor_system& sys, directory_actor directory,
                                      std::chrono::milliseconds flush_every) {
  return caf::actor_cast<analytics_actor>(
    actor_stats::spawn(sys, "view_aggregator", aggregator, std::move(directory), flush_every));
}

}  // namespace sg
