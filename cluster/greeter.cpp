#include "cluster/greeter.hpp"

#include <chrono>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"
#include "runtime/actor_stats.hpp"

namespace sg::cluster {

namespace {

using offers = std::vector<offered_service>;

greeter_actor::behavior_type greeter(greeter_actor::pointer self, greeter_config cfg) {
  return {
    [cfg](hello_atom, const std::string& cluster, const member_record& caller,
          const caf::actor& caller_greeter) -> caf::result<member_record> {
      if (cluster != cfg.self.cluster || caller.cluster != cfg.self.cluster)
        return make_error(errc::forbidden, "this node belongs to cluster '" + cfg.self.cluster + "'");
      caf::anon_send(cfg.service, hello_atom::value, caller, caller_greeter);
      return cfg.self;
    },
    [self, cfg](caf::get_atom) -> caf::result<offers> {
      if (cfg.provided.empty())
        return offers{};
      auto rp = self->make_response_promise<offers>();
      auto found = std::make_shared<offers>();
      auto pending = std::make_shared<size_t>(cfg.provided.size());
      auto one_done = [rp, found, pending]() mutable {
        if (--*pending == 0)
          rp.deliver(*found);
      };
      for (auto s : cfg.provided)
        self->request(cfg.directory, std::chrono::seconds(2), caf::get_atom::value, s)
          .then(
            [=](const caf::actor& h) mutable {
              // Only what runs here: a peer's offer passed on would route
              // through this node and die with it.
              if (h && h.node() == self->node())
                found->push_back({to_string(s), h});
              one_done();
            },
            [=](const caf::error&) mutable { one_done(); });
      return rp;
    },
  };
}

}  // namespace

greeter_actor spawn_greeter(caf::actor_system& sys, greeter_config config) {
  return actor_stats::spawn(sys, "greeter", greeter, std::move(config));
}

}  // namespace sg::cluster
