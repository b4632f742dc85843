#include "gateway/rate_limit.hpp"

#include <chrono>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "gateway/problem.hpp"
#include "runtime/metrics.hpp"

namespace sg {

namespace {

using clock_type = std::chrono::steady_clock;

struct bucket {
  double tokens = 0;
  clock_type::time_point last;
};

class rate_limiter final : public middleware {
public:
  explicit rate_limiter(std::vector<rate_rule> rules) : rules_(std::move(rules)) {}

  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& ctx) override {
    auto group = route_group(req.path);
    const rate_rule* rule = nullptr;
    for (const auto& r : rules_)
      if (r.group == group)
        rule = &r;
    if (rule == nullptr || rule->per_second <= 0)
      return true;
    double wait_s = 0;
    double remaining = take(group + "|ip|" + req.remote_addr, *rule, wait_s);
    if (wait_s == 0 && !ctx.address.empty())
      remaining = std::min(remaining, take(group + "|wallet|" + ctx.address, *rule, wait_s));
    res.set_header("RateLimit-Limit", std::to_string(static_cast<long>(rule->burst)));
    res.set_header("RateLimit-Remaining", std::to_string(static_cast<long>(std::floor(remaining))));
    res.set_header("RateLimit-Reset", std::to_string(static_cast<long>(std::ceil(
                                        (rule->burst - remaining) / rule->per_second))));
    if (wait_s == 0)
      return true;
    static auto& limited = metrics::global().get_counter(
      "streamgate_http_rate_limited_total", "Requests refused with 429");
    limited.inc();
    res.set_header("Retry-After", std::to_string(static_cast<long>(std::ceil(wait_s))));
    close_connection(req, res);  // a refused upload's body stays unread
    problem(res, 429, "too many requests for " + group + "; retry later");
    return false;
  }

private:
  // Takes one token; returns what is left, or sets `wait_s` when empty.
  double take(const std::string& key, const rate_rule& rule, double& wait_s) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto now = clock_type::now();
    if (buckets_.size() > 100000)
      prune(now);
    auto [it, fresh] = buckets_.try_emplace(key, bucket{rule.burst, now});
    auto& b = it->second;
    if (!fresh) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(rule.burst, b.tokens + elapsed * rule.per_second);
      b.last = now;
    }
    if (b.tokens < 1) {
      wait_s = (1 - b.tokens) / rule.per_second;
      return 0;
    }
    b.tokens -= 1;
    return b.tokens;
  }

  // Buckets idle for a minute are full again: forgetting them changes nothing.
  void prune(clock_type::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.last > std::chrono::minutes(1) ? buckets_.erase(it) : std::next(it);
  }

  std::vector<rate_rule> rules_;
  std::mutex mtx_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace

std::string route_group(const std::string& path) {
  if (path.rfind("/api/v1/auth/", 0) == 0)
    return "auth";
  if (path.rfind("/api/v1/uploads", 0) == 0 || path == "/api/v1/videos/upload")
    return "upload";
  if (path.rfind("/v/", 0) == 0)
    return "media";
  if (path.rfind("/api/", 0) == 0)
    return "api";
  return "other";
}

std::optional<rate_rule> parse_rate_rule(const std::string& spec) {
  auto eq = spec.find('=');
  auto slash = spec.find('/', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || slash == std::string::npos)
    return std::nullopt;
  rate_rule r;
  r.group = spec.substr(0, eq);
  if (r.group != "auth" && r.group != "upload" && r.group != "api" && r.group != "media")
    return std::nullopt;
  try {
    r.per_second = std::stod(spec.substr(eq + 1, slash - eq - 1));
    r.burst = std::stod(spec.substr(slash + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (r.per_second < 0 || r.burst < 1)
    return std::nullopt;
  return r;
}

std::vector<rate_rule> rate_rules(const std::vector<rate_rule>& overrides) {
  // Sign-in is costly and a brute-force target; media is served unmetered.
  std::vector<rate_rule> rules{{"auth", 5, 20}, {"upload", 50, 100}, {"api", 100, 200}, {"media", 0, 1}};
  for (const auto& o : overrides)
    for (auto& r : rules)
      if (r.group == o.group)
        r = o;
  return rules;
}

std::unique_ptr<middleware> make_rate_limiter(std::vector<rate_rule> rules) {
  return std::make_unique<rate_limiter>(std::move(rules));
}

}  // namespace sg
