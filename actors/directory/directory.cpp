#include "actors/directory/directory.hpp"

#include <algorithm>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/log.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

struct directory_state {
  std::array<caf::actor, service_count> local;
  std::array<std::map<std::string, caf::actor>, service_count> offers;  // member id -> handle
  std::array<caf::actor, service_count> chosen;  // what subscribers were told last
  std::vector<caf::actor> subscribers;
  static inline const char* name = "directory";
};

using directory_ptr = directory_actor::stateful_pointer<directory_state>;

caf::actor choose(const directory_state& st, size_t i) {
  if (st.local[i])
    return st.local[i];
  return st.offers[i].empty() ? caf::actor{} : st.offers[i].begin()->second;
}

// Tells the subscribers when what serves `s` changed.
void settle(directory_ptr self, size_t i) {
  auto& st = self->state;
  auto now = choose(st, i);
  if (now == st.chosen[i])
    return;
  st.chosen[i] = now;
  auto s = static_cast<service>(i);
  bool remote = now && !st.local[i];
  log::write(remote || !now ? log::level::info : log::level::debug, "directory",
             remote ? "service found on a member" : now ? "service placed" : "service gone",
             {{"service", to_string(s)}});
  for (const auto& sub : st.subscribers)
    self->send(caf::actor_cast<directory_subscriber>(sub), caf::update_atom::value, s, now);
}

void forget(directory_ptr self, const caf::actor_addr& gone) {
  auto& st = self->state;
  for (size_t i = 0; i < service_count; ++i) {
    if (st.local[i] && st.local[i].address() == gone)
      st.local[i] = caf::actor{};
    for (auto it = st.offers[i].begin(); it != st.offers[i].end();)
      it = it->second.address() == gone ? st.offers[i].erase(it) : std::next(it);
    settle(self, i);
  }
  st.subscribers.erase(std::remove_if(st.subscribers.begin(), st.subscribers.end(),
                                      [&](const caf::actor& a) { return a.address() == gone; }),
                       st.subscribers.end());
}

directory_actor::behavior_type directory(directory_ptr self) {
  self->set_down_handler([self](const caf::down_msg& dm) { forget(self, dm.source); });
  return {
    [self](caf::put_atom, service s, caf::actor h) {
      auto i = static_cast<size_t>(s);
      if (self->state.local[i] == h)
        return;
      self->state.local[i] = h;
      if (h)
        self->monitor(h);
      settle(self, i);
    },
    [self](caf::put_atom, service s, caf::actor h, const std::string& member) {
      auto i = static_cast<size_t>(s);
      auto& offers = self->state.offers[i];
      if (!h) {
        offers.erase(member);
      } else if (offers[member] != h) {
        offers[member] = h;
        self->monitor(h);
      }
      settle(self, i);
    },
    [self](caf::delete_atom, const std::string& member) {
      for (size_t i = 0; i < service_count; ++i)
        if (self->state.offers[i].erase(member) > 0)
          settle(self, i);
    },
    [self](caf::get_atom, service s) -> caf::result<caf::actor> {
      auto h = choose(self->state, static_cast<size_t>(s));
      if (!h)
        return make_error(errc::unavailable, "no " + to_string(s) + " is running");
      return h;
    },
    [self](caf::get_atom, service s, const std::string& member) -> caf::result<caf::actor> {
      const auto& offers = self->state.offers[static_cast<size_t>(s)];
      auto it = offers.find(member);
      if (it == offers.end() || !it->second)
        return make_error(errc::unavailable, "member " + member + " offers no " + to_string(s));
      return it->second;
    },
    [self](caf::subscribe_atom, caf::actor sub) {
      if (!sub)
        return;
      self->monitor(sub);
      for (size_t i = 0; i < service_count; ++i)
        if (self->state.chosen[i])
          self->send(caf::actor_cast<directory_subscriber>(sub), caf::update_atom::value,
                     static_cast<service>(i), self->state.chosen[i]);
      self->state.subscribers.push_back(std::move(sub));
    },
  };
}

}  // namespace

directory_actor spawn_directory(caf::actor_system& sys) {
  return actor_stats::spawn(sys, "directory", directory);
}

}  // namespace sg
