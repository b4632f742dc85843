#include "actors/directory/directory.hpp"

#include <algorithm>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"

namespace sg {

namespace {

struct directory_state {
  std::array<caf::actor, service_count> entries;
  std::vector<caf::actor> subscribers;
  static inline const char* name = "directory";
};

using directory_ptr = directory_actor::stateful_pointer<directory_state>;

void announce(directory_ptr self, service s) {
  const auto& h = self->state.entries[static_cast<size_t>(s)];
  for (const auto& sub : self->state.subscribers)
    self->send(caf::actor_cast<directory_subscriber>(sub), caf::update_atom::value, s, h);
}

void forget(directory_ptr self, const caf::actor_addr& gone) {
  auto& st = self->state;
  for (size_t i = 0; i < service_count; ++i) {
    if (st.entries[i] && st.entries[i].address() == gone) {
      st.entries[i] = caf::actor{};
      log::info("directory", "service gone", {{"service", to_string(static_cast<service>(i))}});
      announce(self, static_cast<service>(i));
    }
  }
  st.subscribers.erase(std::remove_if(st.subscribers.begin(), st.subscribers.end(),
                                      [&](const caf::actor& a) { return a.address() == gone; }),
                       st.subscribers.end());
}

directory_actor::behavior_type directory(directory_ptr self) {
  self->set_down_handler([self](const caf::down_msg& dm) { forget(self, dm.source); });
  return {
    [self](caf::put_atom, service s, caf::actor h) {
      auto& entry = self->state.entries[static_cast<size_t>(s)];
      if (entry == h)
        return;
      entry = h;
      if (h)
        self->monitor(h);
      log::debug("directory", h ? "service placed" : "service withdrawn", {{"service", to_string(s)}});
      announce(self, s);
    },
    [self](caf::get_atom, service s) -> caf::result<caf::actor> {
      const auto& h = self->state.entries[static_cast<size_t>(s)];
      if (!h)
        return make_error(errc::unavailable, "no " + to_string(s) + " is running");
      return h;
    },
    [self](caf::subscribe_atom, caf::actor sub) {
      if (!sub)
        return;
      self->monitor(sub);
      for (size_t i = 0; i < service_count; ++i)
        if (self->state.entries[i])
          self->send(caf::actor_cast<directory_subscriber>(sub), caf::update_atom::value,
                     static_cast<service>(i), self->state.entries[i]);
      self->state.subscribers.push_back(std::move(sub));
    },
  };
}

}  // namespace

directory_actor spawn_directory(caf::actor_system& sys) {
  return sys.spawn(directory);
}

}  // namespace sg
