#include "cluster/greeter.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/errors.hpp"

namespace sg::cluster {

namespace {

greeter_actor::behavior_type greeter(greeter_actor::pointer, member_record self, caf::actor service) {
  return {
    [self, service](hello_atom, const std::string& cluster, const member_record& caller,
                    const caf::actor& caller_greeter) -> caf::result<member_record> {
      if (cluster != self.cluster || caller.cluster != self.cluster)
        return make_error(errc::forbidden, "this node belongs to cluster '" + self.cluster + "'");
      caf::anon_send(service, hello_atom::value, caller, caller_greeter);
      return self;
    },
  };
}

}  // namespace

greeter_actor spawn_greeter(caf::actor_system& sys, member_record self, caf::actor service) {
  return sys.spawn(greeter, std::move(self), std::move(service));
}

}  // namespace sg::cluster
