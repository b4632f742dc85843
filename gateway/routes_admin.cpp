// Operator endpoints behind the admin token (X-Admin-Token): cache stats and
// invalidation. Without a configured token they answer 403.
#include <openssl/crypto.h>
#include <nlohmann/json.hpp>

#include "gateway/ask.hpp"
#include "gateway/problem.hpp"
#include "gateway/routes.hpp"

namespace sg {

namespace {

bool admin(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto& want = ctx.http.admin_token;
  auto given = req.get_header_value("X-Admin-Token");
  if (!want.empty() && given.size() == want.size() &&
      CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0)
    return true;
  problem(res, 403, want.empty() ? "the admin API is off: no admin token is configured"
                                 : "X-Admin-Token is missing or wrong");
  return false;
}

nlohmann::json stats_json(const cache_stats& s) {
  return {{"entries", s.entries},   {"bytes", s.bytes},         {"capacity_bytes", s.capacity_bytes},
          {"hits", s.hits},         {"misses", s.misses},       {"evictions", s.evictions},
          {"expirations", s.expirations}};
}

void stats(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  cache_stats total;
  auto shards = nlohmann::json::array();
  for (const auto& shard : ctx.cache) {
    auto s = ask<cache_stats>(ctx, shard, stats_atom::value);
    if (!s)
      return problem(res, s.error());
    shards.push_back(stats_json(*s));
    total.entries += s->entries;
    total.bytes += s->bytes;
    total.capacity_bytes += s->capacity_bytes;
    total.hits += s->hits;
    total.misses += s->misses;
    total.evictions += s->evictions;
    total.expirations += s->expirations;
  }
  auto body = stats_json(total);
  body["shards"] = shards;
  send_json(res, body);
}

void invalidate(const gateway_context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!admin(ctx, req, res))
    return;
  if (!req.has_param("prefix") && !req.has_param("key"))
    return problem(res, 400, "name ?key= or ?prefix= (an empty prefix clears everything)");
  uint64_t removed = 0;
  if (req.has_param("key")) {
    auto key = req.get_param_value("key");
    auto n = ask<uint64_t>(ctx, ctx.cache[shard_index(key, ctx.cache.size())],
                           caf::delete_atom::value, key);
    if (!n)
      return problem(res, n.error());
    removed = *n;
  } else {
    for (const auto& shard : ctx.cache) {
      auto n = ask<uint64_t>(ctx, shard, caf::delete_atom::value, prefix_atom::value,
                             req.get_param_value("prefix"));
      if (!n)
        return problem(res, n.error());
      removed += *n;
    }
  }
  send_json(res, {{"removed", removed}});
}

}  // namespace

void add_admin_routes(router& r, const gateway_context& ctx) {
  if (ctx.cache.empty())
    return;
  r.get("/api/v1/admin/cache", "api",
        [&ctx](const httplib::Request& q, httplib::Response& s) { stats(ctx, q, s); });
  r.del("/api/v1/admin/cache", "api",
        [&ctx](const httplib::Request& q, httplib::Response& s) { invalidate(ctx, q, s); });
}

}  // namespace sg
