#include "app/gateway_role.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>

#include "gateway/gateway.hpp"

namespace sg {

caf::expected<std::vector<caf::actor>> start_gateway(role_env& env) {
  const auto& config = env.config;
  gateway_context ctx;
  ctx.system = &env.sys;
  ctx.http = config.http;
  ctx.tus_max_size = config.upload.max_size;
  ctx.quota_bytes = config.upload.quota_bytes;
  ctx.serve_media = env.runs("stream");
  ctx.media = env.media;
  ctx.secret = env.secret;
  ctx.directory = env.directory;
  ctx.started = env.started;
  for (const auto* r : env.planned) {
    ctx.roles.serving.push_back(r->name);
    ctx.roles.provided.insert(ctx.roles.provided.end(), r->provides.begin(), r->provides.end());
  }
  ctx.roles.missing = env.missing;
  auto gw = spawn_gateway(ctx);
  if (!gw)
    return gw.error();
  env.gateway = *gw;
  return std::vector<caf::actor>{caf::actor_cast<caf::actor>(*gw)};
}

}  // namespace sg
