// Webhooks and their deliveries: the half of the jobs service that turns
// events into signed POSTs, retried with doubling backoff, then kept as dead
// letters (docs/architecture.md §Jobs). Records live in the ops store; on a
// cluster a delivery is tried by the member that made it, and taken over by
// another once it is overdue there (at-least-once: receivers deduplicate by
// StreamGate-Delivery).
#include <algorithm>
#include <cctype>

#include "actors/jobs/jobs_state.hpp"
#include "actors/jobs/webhooks.hpp"
#include "messages/errors.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace {

constexpr int64_t orphan_grace_ms = 60'000;  // overdue this long at its member: that member is gone
constexpr size_t max_listed = 500;

bool plausible_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

void count(const char* outcome) {
  metrics::global()
    .get_counter("streamgate_webhook_deliveries_total", "Webhook delivery attempts by outcome", {{"outcome", outcome}})
    .inc();
}

template <class T>
void deliver_expected(caf::typed_response_promise<T>& rp, caf::expected<T> x) {
  if (x)
    rp.deliver(std::move(*x));
  else
    rp.deliver(std::move(x.error()));
}

// Every record under a prefix, parsed by `parse` (unreadable ones skipped).
template <class T, class Parse>
void list_records(jobs_ptr self, const std::string& prefix, Parse parse,
                  std::function<void(caf::expected<std::vector<T>>)> then) {
  auto ops = ops_of(self);
  if (!ops)
    return then(make_error(errc::unavailable, "no record store is running"));
  self->request(ops, store_timeout, list_atom::value, ops_atom::value, prefix)
    .then(
      [parse, then](const std::vector<std::string>& texts) {
        std::vector<T> out;
        for (const auto& t : texts)
          if (auto x = parse(t))
            out.push_back(std::move(*x));
        then(std::move(out));
      },
      [then](const caf::error& e) { then(e); });
}

void list_deliveries_then(jobs_ptr self, std::function<void(caf::expected<std::vector<delivery>>)> then) {
  list_records<delivery>(self, webhooks::delivery_prefix, webhooks::delivery_from, std::move(then));
}

// Writes `next` over `before` (compare-and-set); `then` hears whether it won.
void swap_delivery(jobs_ptr self, const delivery& next, const std::string& before, std::function<void(bool)> then) {
  self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value, webhooks::delivery_key(next.id),
                webhooks::to_text(next), before)
    .then([then](bool won) { then(won); }, [then](const caf::error&) { then(false); });
}

void retry_later(jobs_ptr self, const delivery& d) {
  auto& st = self->state;
  if (!st.scheduled.insert(d.id).second)
    return;
  auto wait = std::max<int64_t>(0, d.next_ms - now_ms());
  self->delayed_send(self, std::chrono::milliseconds(wait), deliver_atom::value, d.id);
}

// The outcome of one attempt, written over the record as it was.
void record_attempt(jobs_ptr self, delivery d, const std::string& before, bool ok, const std::string& outcome) {
  const auto& st = self->state;
  auto now = now_ms();
  d.attempts += 1;
  d.history.push_back({now, outcome});
  if (ok) {
    d.state = "delivered";
    count("delivered");
  } else if (d.attempts >= st.settings.webhook_attempts) {
    d.state = "dead";
    count("dead");
    log::warn("jobs", "webhook delivery dead-lettered",
              {{"delivery", d.id}, {"event", d.event}, {"attempts", d.attempts}, {"outcome", outcome}});
  } else {
    d.next_ms = now + webhooks::backoff_ms(st.settings.webhook_backoff_ms, d.attempts);
    count("failed");
  }
  swap_delivery(self, d, before, [self, d](bool won) {
    self->state.attempting.erase(d.id);
    if (won && d.state == "pending")
      retry_later(self, d);
  });
}

void send_now(jobs_ptr self, delivery d, const std::string& before, const webhook& w) {
  auto t = now_ms() / 1000;
  std::vector<std::string> headers{"StreamGate-Signature: " + webhooks::signature(w.secret, t, d.body),
                                   "StreamGate-Event: " + d.event, "StreamGate-Delivery: " + d.id};
  self->request(self->state.sender, send_timeout, deliver_atom::value, d.url, d.body, headers)
    .then([self, d, before](bool ok, const std::string& outcome) { record_attempt(self, d, before, ok, outcome); },
          [self, d, before](const caf::error& e) { record_attempt(self, d, before, false, to_string(e)); });
}

}  // namespace

caf::result<webhook> create_webhook(jobs_ptr self, const principal& who, const std::string& url,
                                    const std::vector<std::string>& events) {
  if (auto why = webhooks::check_url(url); !why.empty())
    return make_error(errc::bad_request, why);
  if (auto why = webhooks::check_events(events); !why.empty())
    return make_error(errc::bad_request, why);
  auto rp = self->make_response_promise<webhook>();
  list_records<webhook>(self, webhooks::webhook_prefix(who.address), webhooks::webhook_from,
                        [self, who, url, events, rp](caf::expected<std::vector<webhook>> mine) mutable {
    if (!mine)
      return rp.deliver(std::move(mine.error())), void();
    if (mine->size() >= webhooks::max_per_owner)
      return rp.deliver(make_error(errc::bad_request, "an owner has at most 20 webhooks")), void();
    self->request(self->state.sender, send_timeout, check_atom::value, url)
      .then(
        [self, who, url, events, rp](const std::string& problem) mutable {
          if (!problem.empty())
            return rp.deliver(make_error(errc::bad_request, problem)), void();
          webhook w{"wh_" + random_hex(8), who.address, url, events, "whsec_" + random_hex(24), now_ms()};
          self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value,
                        webhooks::webhook_key(w.owner, w.id), webhooks::to_text(w))
            .then([rp, w](caf::ok_atom) mutable { rp.deliver(w); },
                  [rp](const caf::error& e) mutable { rp.deliver(e); });
        },
        [rp](const caf::error& e) mutable { rp.deliver(e); });
  });
  return rp;
}

caf::result<std::vector<webhook>> list_webhooks(jobs_ptr self, const principal& who) {
  auto rp = self->make_response_promise<std::vector<webhook>>();
  list_records<webhook>(self, webhooks::webhook_prefix(who.address), webhooks::webhook_from,
                        [rp](caf::expected<std::vector<webhook>> mine) mutable {
    if (mine)
      std::sort(mine->begin(), mine->end(), [](auto& a, auto& b) { return a.created_ms < b.created_ms; });
    deliver_expected(rp, std::move(mine));
  });
  return rp;
}

caf::result<caf::ok_atom> delete_webhook(jobs_ptr self, const principal& who, const std::string& id) {
  if (!plausible_id(id) || !ops_of(self))
    return make_error(errc::not_found, "no such webhook");
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto key = webhooks::webhook_key(who.address, id);
  read_record(self, key, [self, key, rp](caf::expected<std::string> text) mutable {
    if (!text)
      return rp.deliver(std::move(text.error())), void();
    if (text->empty())
      return rp.deliver(make_error(errc::not_found, "no such webhook")), void();
    self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value, key, std::string{})
      .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom::value); },
            [rp](const caf::error& e) mutable { rp.deliver(e); });
  });
  return rp;
}

void on_event(jobs_ptr self, const webhook_event& e) {
  list_records<webhook>(self, webhooks::webhook_prefix(e.owner), webhooks::webhook_from,
                        [self, e](caf::expected<std::vector<webhook>> hooks) {
    if (!hooks) {
      log::warn("jobs", "an event found no webhook list", {{"event", e.type}, {"error", to_string(hooks.error())}});
      return;
    }
    const auto event_id = "evt_" + random_hex(12);
    const auto body = webhooks::event_body(event_id, e);
    for (const auto& w : *hooks) {
      if (std::find(w.events.begin(), w.events.end(), e.type) == w.events.end())
        continue;
      delivery d;
      d.id = "dlv_" + random_hex(12);
      d.webhook_id = w.id;
      d.owner = w.owner;
      d.url = w.url;
      d.event = e.type;
      d.body = body;
      d.created_ms = d.next_ms = now_ms();
      d.node = self->state.settings.node;
      self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value,
                    webhooks::delivery_key(d.id), webhooks::to_text(d))
        .then([self, id = d.id](caf::ok_atom) { attempt(self, id); },
              [id = d.id](const caf::error& err) {
                log::warn("jobs", "cannot store a webhook delivery", {{"delivery", id}, {"error", to_string(err)}});
              });
    }
  });
}

void attempt(jobs_ptr self, const std::string& id) {
  auto& st = self->state;
  st.scheduled.erase(id);
  if (!ops_of(self) || !st.attempting.insert(id).second)
    return;
  read_record(self, webhooks::delivery_key(id), [self, id](caf::expected<std::string> text) {
    auto& st = self->state;
    auto d = text ? webhooks::delivery_from(*text) : std::nullopt;
    if (!d || d->state != "pending" || d->node != st.settings.node) {
      st.attempting.erase(id);
      return;
    }
    if (d->next_ms > now_ms() + 50) {  // an early timer: wait
      st.attempting.erase(id);
      return retry_later(self, *d);
    }
    read_record(self, webhooks::webhook_key(d->owner, d->webhook_id),
                [self, d = *d, before = *text](caf::expected<std::string> hook) mutable {
      if (!hook)
        return self->state.attempting.erase(d.id), void();
      auto w = webhooks::webhook_from(*hook);
      if (!w) {  // the owner deleted the webhook: nothing to deliver to
        d.state = "dismissed";
        d.history.push_back({now_ms(), "the webhook was deleted"});
        return swap_delivery(self, d, before, [self, id = d.id](bool) { self->state.attempting.erase(id); });
      }
      send_now(self, std::move(d), before, *w);
    });
  });
}

caf::result<std::vector<delivery>> list_deliveries(jobs_ptr self, const std::string& state) {
  static const std::vector<std::string> states{"", "pending", "delivered", "dead", "dismissed"};
  if (std::find(states.begin(), states.end(), state) == states.end())
    return make_error(errc::bad_request, "state is one of pending, delivered, dead, dismissed");
  auto rp = self->make_response_promise<std::vector<delivery>>();
  list_deliveries_then(self, [rp, state](caf::expected<std::vector<delivery>> all) mutable {
    if (all) {
      all->erase(std::remove_if(all->begin(), all->end(),
                                [&](const delivery& d) { return !state.empty() && d.state != state; }),
                 all->end());
      std::sort(all->begin(), all->end(), [](auto& a, auto& b) { return a.created_ms > b.created_ms; });
      if (all->size() > max_listed)
        all->resize(max_listed);
    }
    deliver_expected(rp, std::move(all));
  });
  return rp;
}

caf::result<delivery> get_delivery(jobs_ptr self, const std::string& id) {
  if (!plausible_id(id) || !ops_of(self))
    return make_error(errc::not_found, "no such delivery");
  auto rp = self->make_response_promise<delivery>();
  read_record(self, webhooks::delivery_key(id), [rp](caf::expected<std::string> text) mutable {
    if (!text)
      return rp.deliver(std::move(text.error())), void();
    auto d = webhooks::delivery_from(*text);
    if (!d)
      return rp.deliver(make_error(errc::not_found, "no such delivery")), void();
    rp.deliver(std::move(*d));
  });
  return rp;
}

caf::result<delivery> settle_dead_letter(jobs_ptr self, const std::string& id, bool retry) {
  if (!plausible_id(id) || !ops_of(self))
    return make_error(errc::not_found, "no such delivery");
  auto rp = self->make_response_promise<delivery>();
  read_record(self, webhooks::delivery_key(id), [self, rp, retry](caf::expected<std::string> text) mutable {
    if (!text)
      return rp.deliver(std::move(text.error())), void();
    auto d = webhooks::delivery_from(*text);
    if (!d)
      return rp.deliver(make_error(errc::not_found, "no such delivery")), void();
    if (retry ? d->state != "dead" : (d->state != "dead" && d->state != "pending"))
      return rp.deliver(make_error(errc::conflict, "the delivery is " + d->state)), void();
    if (retry) {
      d->state = "pending";
      d->attempts = 0;
      d->node = self->state.settings.node;
      d->next_ms = now_ms();
    } else {
      d->state = "dismissed";
    }
    swap_delivery(self, *d, *text, [self, rp, d = *d, retry](bool won) mutable {
      if (!won)
        return rp.deliver(make_error(errc::conflict, "the delivery changed meanwhile; try again")), void();
      log::info("jobs", retry ? "dead letter retried" : "delivery dismissed", {{"delivery", d.id}});
      if (retry)
        attempt(self, d.id);
      rp.deliver(d);
    });
  });
  return rp;
}

void adopt_deliveries(jobs_ptr self) {
  list_deliveries_then(self, [self](caf::expected<std::vector<delivery>> all) {
    if (!all)
      return;
    auto& st = self->state;
    auto now = now_ms();
    for (auto& d : *all) {
      if (d.state != "pending" || st.attempting.count(d.id) > 0 || st.scheduled.count(d.id) > 0)
        continue;
      if (d.node == st.settings.node) {
        retry_later(self, d);  // ours, untried since a restart
      } else if (d.next_ms + orphan_grace_ms < now) {
        auto before = webhooks::to_text(d);
        log::info("jobs", "taking over an overdue webhook delivery", {{"delivery", d.id}, {"from", d.node}});
        d.node = st.settings.node;
        swap_delivery(self, d, before, [self, id = d.id](bool won) {
          if (won)
            attempt(self, id);
        });
      }
    }
  });
}

void prune_deliveries(jobs_ptr self, int64_t age_ms, std::function<void(caf::expected<uint64_t>)> done) {
  list_deliveries_then(self, [self, age_ms, done](caf::expected<std::vector<delivery>> all) {
    if (!all)
      return done(all.error());
    auto cutoff = now_ms() - age_ms;
    uint64_t n = 0;
    for (const auto& d : *all)
      if ((d.state == "delivered" || d.state == "dismissed") && d.created_ms < cutoff) {
        self->request(ops_of(self), store_timeout, caf::put_atom::value, ops_atom::value,
                      webhooks::delivery_key(d.id), std::string{})
          .then([](caf::ok_atom) {}, [](const caf::error&) {});
        ++n;
      }
    done(n);
  });
}

}  // namespace sg
