#pragma once
// Who asks: commands that need an owner carry the acting principal, and the
// service that owns the record checks it in the same message that changes it
// (no check-then-act across two requests).
#include <string>

#include <caf/meta/type_name.hpp>

namespace sg {

struct principal {
  std::string address;  // the signed-in wallet; empty: anonymous

  bool owns(const std::string& owner) const { return !address.empty() && address == owner; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("principal"), x.address);
}

}  // namespace sg
