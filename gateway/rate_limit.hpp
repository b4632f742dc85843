#pragma once
// Token buckets per client IP and per signed-in wallet, one set per route
// group (auth, upload, api, media). Over the limit: 429 with Retry-After;
// every limited answer carries RateLimit-Limit/-Remaining/-Reset.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/middleware.hpp"

namespace sg {

struct rate_rule {
  std::string group;
  double per_second = 0;  // 0: unlimited
  double burst = 0;
};

/// "GROUP=RATE/BURST" (e.g. "auth=5/20"); nothing if malformed.
std::optional<rate_rule> parse_rate_rule(const std::string& spec);

/// The defaults, overridden group by group by `rules`.
std::vector<rate_rule> rate_rules(const std::vector<rate_rule>& overrides);

/// Runs after authentication, so the wallet bucket knows its wallet.
std::unique_ptr<middleware> make_rate_limiter(std::vector<rate_rule> rules);

/// The group a request belongs to.
std::string route_group(const std::string& path);

}  // namespace sg
