#pragma once
// Token buckets per client IP and per signed-in wallet, one set per route
// group (auth, upload, api, media; the route table names a route's group). Over the limit: 429 with Retry-After;
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

/// Two filters over one set of buckets: the client IP's, placed before
/// authentication (so failed sign-ins count against the IP too), and the
/// wallet's, placed after it (so it knows the wallet).
struct rate_limiters {
  std::unique_ptr<middleware> by_ip;
  std::unique_ptr<middleware> by_wallet;
};
rate_limiters make_rate_limiters(std::vector<rate_rule> rules);

}  // namespace sg
