#include "actors/jobs/jobs_service.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>

#include "actors/jobs/jobs_state.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto tick = std::chrono::seconds(1);
constexpr int64_t keep_finished_deliveries_ms = 7 * 86'400'000LL;

using done_fn = std::function<void(caf::expected<std::string>)>;

// Deletes analytics rows older than `cutoff_ms` a slice at a time, each a
// request of its own, so the store answers others in between: 512 rows are
// 16 transactions, some 50 ms of etcd on a cluster.
constexpr uint32_t analytics_rows_per_request = 512;
void prune_analytics(jobs_ptr self, int64_t cutoff_ms, uint64_t pruned, done_fn done) {
  auto store = self->state.peers.get<service::analytics_store>();
  if (!store)
    return done(make_error(errc::unavailable, "no analytics store is running"));
  self->request(store, run_timeout, caf::delete_atom::value, analytics_atom::value, cutoff_ms,
                analytics_rows_per_request)
    .then(
      [self, cutoff_ms, pruned, done](uint64_t n) {
        if (n == analytics_rows_per_request)
          return prune_analytics(self, cutoff_ms, pruned + n, done);
        done("deleted " + std::to_string(pruned + n) + " analytics rows of hours before " + iso8601_ms(cutoff_ms));
      },
      [done](const caf::error& e) { done(e); });
}

// What each schedule does; `done` gets a line saying what it did.
void run_action(jobs_ptr self, const std::string& name, done_fn done) {
  auto& peers = self->state.peers;
  auto fail = [done](const caf::error& e) { done(e); };
  if (name == "auth.sweep") {
    auto records = peers.get<service::auth_records>();
    if (!records)
      return done(make_error(errc::unavailable, "no auth record store is running"));
    self->request(records, run_timeout, sweep_atom::value, nonce_atom::value)
      .then([done](uint64_t n) { done("dropped " + std::to_string(n) + " spent sign-in records"); }, fail);
  } else if (name == "uploads.sweep") {
    auto uploads = peers.get<service::uploads>();
    if (!uploads || uploads.node() != self->node())
      return done(make_error(errc::unavailable, "this node runs no upload service"));
    self->request(uploads, run_timeout, sweep_atom::value)
      .then([done](uint64_t n) { done("reclaimed " + std::to_string(n) + " expired uploads"); }, fail);
  } else if (name == "deliveries.prune") {
    prune_deliveries(self, keep_finished_deliveries_ms, [done](caf::expected<uint64_t> n) {
      if (!n)
        return done(n.error());
      done("pruned " + std::to_string(*n) + " finished webhook deliveries");
    });
  } else if (name == "analytics.prune") {
    auto cutoff = now_ms() - self->state.settings.analytics_retention_ms;
    prune_analytics(self, cutoff, 0, std::move(done));
  } else {
    done(make_error(errc::not_found, "no schedule " + name));
  }
}

const schedules::definition* find_schedule(const jobs_state& st, const std::string& name) {
  for (const auto& d : st.schedules)
    if (d.name == name)
      return &d;
  return nullptr;
}

schedule_info described(const schedules::definition& d, schedule_info s) {
  s.name = d.name;
  s.summary = d.summary;
  s.scope = d.scope;
  s.every_ms = d.every_ms;
  return s;
}

// Runs a schedule when it is due (or `force`d) and this node wins its
// claim; `answer` gets its record once the run ended.
void try_run(jobs_ptr self, const schedules::definition& d, bool force,
             std::function<void(caf::expected<schedule_info>)> answer = {}) {
  auto& st = self->state;
  if (!st.peers.has(service::ops_store) || st.running.count(d.name) > 0) {
    if (answer)
      answer(make_error(errc::conflict, d.name + " is running now"));
    return;
  }
  const auto key = schedules::key_of(d, st.settings.node);
  st.running.insert(d.name);
  read_record(self, key, [self, d, key, force, answer](caf::expected<std::string> text) {
    auto& st = self->state;
    auto now = now_ms();
    auto claimed = text ? schedules::claim(d, schedules::from_text(*text), st.settings.node, now, force)
                        : std::nullopt;
    if (!claimed) {
      st.running.erase(d.name);
      auto stored = text ? schedules::from_text(*text) : std::nullopt;
      st.next_check_ms[d.name] = stored ? stored->next_run_ms : now + 5000;
      if (answer)
        answer(text ? caf::expected<schedule_info>{described(d, *stored)} : text.error());
      return;
    }
    auto claim_text = schedules::to_text(*claimed);
    self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value, key, claim_text, *text)
      .then(
        [self, d, key, claimed, claim_text, answer](bool won) {
          auto& st = self->state;
          if (!won) {  // another member claimed this period
            st.running.erase(d.name);
            st.next_check_ms[d.name] = now_ms() + 1000;
            if (answer)
              answer(make_error(errc::conflict, "another member runs " + d.name + " now"));
            return;
          }
          st.next_check_ms[d.name] = claimed->next_run_ms;
          run_action(self, d.name, [self, d, key, claimed, claim_text, answer](caf::expected<std::string> detail) {
            const auto& settings = self->state.settings;
            auto done = schedules::settle(*claimed, detail, settings.max_attempts, settings.backoff_ms);
            if (detail)
              log::info("jobs", "scheduled job ran", {{"schedule", d.name}, {"detail", done.last_detail}});
            else
              log::warn("jobs", "scheduled job failed", {{"schedule", d.name}, {"error", done.last_detail},
                                                         {"outcome", done.last_outcome}, {"next_run_ms", done.next_run_ms}});
            self->state.next_check_ms[d.name] = done.next_run_ms;
            // Only over our own claim: a later one stands.
            self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value, key,
                          schedules::to_text(done), claim_text)
              .then([](bool) {}, [](const caf::error&) {});
            self->state.running.erase(d.name);
            if (answer)
              answer(described(d, done));
          });
        },
        [self, d, answer](const caf::error& e) {
          self->state.running.erase(d.name);
          self->state.next_check_ms[d.name] = now_ms() + 5000;
          if (answer)
            answer(e);
        });
  });
}

// A delayed run: the record's next run moves to `at_ms` (compare-and-set
// over what was read, so a run claimed meanwhile is not undone).
caf::result<schedule_info> delay_run(jobs_ptr self, const schedules::definition& d, int64_t at_ms) {
  auto& st = self->state;
  if (!st.peers.has(service::ops_store))
    return make_error(errc::unavailable, "no record store is running");
  auto rp = self->make_response_promise<schedule_info>();
  auto key = schedules::key_of(d, st.settings.node);
  read_record(self, key, [self, d, key, at_ms, rp](caf::expected<std::string> text) mutable {
    if (!text) {
      rp.deliver(text.error());
      return;
    }
    auto moved = schedules::delay(d, schedules::from_text(*text), at_ms);
    self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value, key, schedules::to_text(moved), *text)
      .then(
        [self, d, moved, at_ms, rp](bool won) mutable {
          if (!won) {
            rp.deliver(make_error(errc::conflict, d.name + " was claimed meanwhile; try again"));
            return;
          }
          self->state.next_check_ms[d.name] = at_ms;
          log::info("jobs", "scheduled job delayed", {{"schedule", d.name}, {"at_ms", at_ms}});
          rp.deliver(described(d, moved));
        },
        [rp](const caf::error& e) mutable { rp.deliver(e); });
  });
  return rp;
}

caf::result<std::vector<schedule_info>> list_schedules(jobs_ptr self) {
  auto& st = self->state;
  if (!st.peers.has(service::ops_store))
    return make_error(errc::unavailable, "no record store is running");
  auto rp = self->make_response_promise<std::vector<schedule_info>>();
  auto out = std::make_shared<std::vector<schedule_info>>();
  auto pending = std::make_shared<size_t>(st.schedules.size());
  for (const auto& d : st.schedules) {
    read_record(self, schedules::key_of(d, st.settings.node), [d, out, pending, rp](caf::expected<std::string> text) mutable {
      auto stored = text ? schedules::from_text(*text) : std::nullopt;
      out->push_back(described(d, stored.value_or(schedule_info{})));
      if (--*pending == 0) {
        std::sort(out->begin(), out->end(), [](auto& a, auto& b) { return a.name < b.name; });
        rp.deliver(std::move(*out));
      }
    });
  }
  return rp;
}

void on_tick(jobs_ptr self) {
  auto& st = self->state;
  auto now = now_ms();
  if (st.peers.has(service::ops_store)) {
    for (const auto& d : st.schedules)
      if (st.next_check_ms[d.name] <= now)
        try_run(self, d, false);
    if (st.next_adoption_ms <= now) {
      st.next_adoption_ms = now + 10'000;
      adopt_deliveries(self);
    }
  }
  self->delayed_send(self, tick, caf::tick_atom::value);
}

jobs_impl::behavior_type jobs_service(jobs_ptr self, jobs_settings settings, directory_actor directory) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.directory = directory;
  st.sender = spawn_webhook_sender(self->system(), st.settings.webhook_allow_private);
  self->link_to(st.sender);
  st.schedules = {
    {"auth.sweep", "drops spent sign-in challenges and revocations", "cluster", st.settings.auth_sweep_ms},
    {"deliveries.prune", "forgets webhook deliveries delivered or dismissed a week ago", "cluster", 3'600'000},
    {"uploads.sweep", "reclaims this node's expired uploads, finishes interrupted ones", "node",
     st.settings.upload_sweep_ms},
  };
  if (st.settings.analytics_retention_ms > 0)
    st.schedules.push_back({"analytics.prune", "deletes playback figures older than the retention", "cluster",
                            3'600'000});
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, tick, caf::tick_atom::value);
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](caf::tick_atom) {
      if (self->current_sender() == self->ctrl())
        on_tick(self);  // our own timer only
    },
    [self](schedule_atom, list_atom) { return list_schedules(self); },
    [self](schedule_atom, run_atom, const std::string& name) -> caf::result<schedule_info> {
      const auto* d = find_schedule(self->state, name);
      if (d == nullptr)
        return make_error(errc::not_found, "no schedule named '" + name.substr(0, 64) + "'");
      auto rp = self->make_response_promise<schedule_info>();
      try_run(self, *d, true, [rp](caf::expected<schedule_info> s) mutable {
        if (s)
          rp.deliver(std::move(*s));
        else
          rp.deliver(std::move(s.error()));
      });
      return rp;
    },
    [self](schedule_atom, run_atom, const std::string& name, int64_t at_ms) -> caf::result<schedule_info> {
      const auto* d = find_schedule(self->state, name);
      if (d == nullptr)
        return make_error(errc::not_found, "no schedule named '" + name.substr(0, 64) + "'");
      if (at_ms <= 0)
        return make_error(errc::bad_request, "a delayed run needs a time");
      return delay_run(self, *d, at_ms);
    },
    [self](event_atom, const webhook_event& e) { on_event(self, e); },
    [self](webhook_atom, create_atom, const principal& who, const std::string& url,
           const std::vector<std::string>& events) { return create_webhook(self, who, url, events); },
    [self](webhook_atom, list_atom, const principal& who) { return list_webhooks(self, who); },
    [self](webhook_atom, caf::delete_atom, const principal& who, const std::string& id) {
      return delete_webhook(self, who, id);
    },
    [self](deliver_atom, list_atom, const std::string& state) { return list_deliveries(self, state); },
    [self](deliver_atom, caf::get_atom, const std::string& id) { return get_delivery(self, id); },
    [self](deliver_atom, retry_atom, const std::string& id) { return settle_dead_letter(self, id, true); },
    [self](deliver_atom, dismiss_atom, const std::string& id) { return settle_dead_letter(self, id, false); },
    [self](deliver_atom, const std::string& id) {
      if (self->current_sender() == self->ctrl())
        attempt(self, id);  // our own retry timer only
    },
  };
}

}  // namespace

void read_record(jobs_ptr self, const std::string& key, std::function<void(caf::expected<std::string>)> then) {
  self->request(ops_of(self), store_timeout, caf::get_atom::value, ops_atom::value, key)
    .then([then](const std::string& text) { then(text); },
          [then](const caf::error& e) {
            if (e == errc::not_found)
              return then(std::string{});
            then(e);
          });
}

jobs_actor spawn_jobs_service(caf::actor_system& sys, jobs_settings settings, directory_actor directory) {
  return actor_stats::spawn(sys, "jobs", jobs_service, std::move(settings), std::move(directory));
}

}  // namespace sg
