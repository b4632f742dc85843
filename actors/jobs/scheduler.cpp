#include "actors/jobs/scheduler.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

constexpr auto sweep_timeout = std::chrono::seconds(30);

// The public interface, the directory's updates and its own timer.
using scheduler_actor = jobs_actor::extend<directory_update, caf::reacts_to<caf::tick_atom>>;

struct scheduler_state {
  directory_actor directory;
  peer_set peers;
  static inline const char* name = "jobs";
};

using scheduler_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

// Asks the record store to drop spent records; `done` gets the count or why not.
template <class Done>
void sweep(scheduler_ptr self, Done done) {
  auto records = self->state.peers.get<service::auth_records>();
  if (!records)
    return done(make_error(errc::unavailable, "no auth record store is running"));
  self->request(records, sweep_timeout, sweep_atom::value, nonce_atom::value)
    .then(
      [done](uint64_t n) mutable {
        if (n > 0)
          log::info("jobs", "swept spent auth records", {{"count", n}});
        done(n);
      },
      [done](caf::error& e) mutable { done(std::move(e)); });
}

scheduler_actor::behavior_type scheduler(scheduler_ptr self, directory_actor directory,
                                         std::chrono::seconds interval) {
  self->state.directory = directory;
  self->send(directory, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  self->delayed_send(self, interval, caf::tick_atom::value);
  return {
    [self](caf::update_atom, service s, caf::actor h) {
      if (sent_by(self, self->state.directory))
        self->state.peers.update(s, std::move(h));
    },
    [self](sweep_atom) {
      auto rp = self->make_response_promise<uint64_t>();
      sweep(self, [rp](caf::expected<uint64_t> n) mutable {
        if (n)
          rp.deliver(*n);
        else
          rp.deliver(std::move(n.error()));
      });
      return rp;
    },
    [self, interval](caf::tick_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      // A timer has nobody to answer: a failure is the log's business.
      if (self->state.peers.has(service::auth_records))
        sweep(self, [](const caf::expected<uint64_t>& n) {
          if (!n)
            log::warn("jobs", "sweep failed", {{"error", caf::to_string(n.error())}});
        });
      self->delayed_send(self, interval, caf::tick_atom::value);
    },
  };
}

}  // namespace

jobs_actor spawn_scheduler(caf::actor_system& sys, directory_actor directory,
                           std::chrono::seconds interval) {
  return sys.spawn(scheduler, std::move(directory), interval);
}

}  // namespace sg
