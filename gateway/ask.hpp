#pragma once
// Synchronous requests from HTTP handler threads to actors, always bounded by
// the configured timeout. Include only from route .cpp files.
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

#include "gateway/context.hpp"
#include "messages/errors.hpp"

namespace sg {

// From `self`, for a receiver that watches who asked (an upload session
// monitors the sender of a PATCH).
template <class R, class Handle, class... Ts>
caf::expected<R> ask_from(caf::scoped_actor& self, const gateway_context& ctx, const Handle& dest, Ts&&... xs) {
  if (!dest)
    return make_error(errc::unavailable, "the service this needs is not running");
  caf::expected<R> result{caf::sec::request_timeout};
  self->request(dest, ctx.timeout(), std::forward<Ts>(xs)...)
    .receive([&](R& r) { result = std::move(r); },
             [&](caf::error& e) { result = std::move(e); });
  return result;
}

template <class R, class Handle, class... Ts>
caf::expected<R> ask(const gateway_context& ctx, const Handle& dest, Ts&&... xs) {
  caf::scoped_actor self{*ctx.system};
  return ask_from<R>(self, ctx, dest, std::forward<Ts>(xs)...);
}

}  // namespace sg
