#pragma once
// A service a cluster member runs itself, by name, with its handle (null
// while the member is not up). Members offer theirs to each other; the
// cluster service tells local services about their peers on other members.
#include <string>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace sg {

struct offered_service {
  std::string name;  // a service name, or a member id in a member list
  caf::actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offered_service& x) {
  return f(caf::meta::type_name("offered_service"), x.name, x.handle);
}

}  // namespace sg
