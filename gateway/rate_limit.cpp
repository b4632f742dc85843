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

// The buckets of every group, shared by the IP and the wallet filter.
class bucket_store {
public:
  explicit bucket_store(std::vector<rate_rule> rules) : rules_(std::move(rules)) {}

  const rate_rule* rule_of(const std::string& group) const {
    for (const auto& r : rules_)
      if (r.group == group && r.per_second > 0)
        return &r;
    return nullptr;
  }

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

private:
  // Buckets idle for a minute are full again: forgetting them changes nothing.
  void prune(clock_type::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.last > std::chrono::minutes(1) ? buckets_.erase(it) : std::next(it);
  }

  std::vector<rate_rule> rules_;
  std::mutex mtx_;
  std::unordered_map<std::string, bucket> buckets_;
};

// One filter: the IP's bucket, or the signed-in wallet's.
class rate_limiter final : public middleware {
public:
  rate_limiter(std::shared_ptr<bucket_store> store, bool by_wallet)
    : store_(std::move(store)), by_wallet_(by_wallet) {}

  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& ctx) override {
    const auto* rule = store_->rule_of(ctx.group());
    if (rule == nullptr || (by_wallet_ && ctx.address.empty()))
      return true;
    double wait_s = 0;
    auto key = ctx.group() + (by_wallet_ ? "|wallet|" + ctx.address : "|ip|" + req.remote_addr);
    double remaining = store_->take(key, *rule, wait_s);
    if (by_wallet_ && res.has_header("RateLimit-Remaining"))
      remaining = std::min(remaining, std::stod(res.get_header_value("RateLimit-Remaining")));
    res.headers.erase("RateLimit-Limit");
    res.headers.erase("RateLimit-Remaining");
    res.headers.erase("RateLimit-Reset");
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
    problem(res, 429, "too many requests for " + ctx.group() + "; retry later");
    return false;
  }

private:
  std::shared_ptr<bucket_store> store_;
  bool by_wallet_;
};

}  // namespace

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

rate_limiters make_rate_limiters(std::vector<rate_rule> rules) {
  auto store = std::make_shared<bucket_store>(std::move(rules));
  return {std::make_unique<rate_limiter>(store, false), std::make_unique<rate_limiter>(store, true)};
}

}  // namespace sg
