#pragma once
// A small process-wide Prometheus registry. Series are created on first use and
// live forever, so callers may keep the references. Label values must be
// low-cardinality (routes, statuses) — never ids, addresses or tokens.
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <map>

namespace sg::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }
private:
  std::atomic<uint64_t> value_{0};
};

class gauge {
public:
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(int64_t n) { value_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }
private:
  std::atomic<int64_t> value_{0};
};

class histogram {
public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // non-cumulative, per bound
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class registry {
public:
  counter& get_counter(const std::string& name, const std::string& help,
                       const labels& ls = {});
  gauge& get_gauge(const std::string& name, const std::string& help,
                   const labels& ls = {});
  histogram& get_histogram(const std::string& name, const std::string& help,
                           const labels& ls, const std::vector<double>& bounds);
  /// A counter's or gauge's current value; nullopt when nothing made it yet.
  std::optional<double> value(const std::string& name, const labels& ls = {}) const;
  /// The Prometheus text exposition format, version 0.0.4.
  std::string render() const;

private:
  struct family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<counter>> counters;
    std::map<std::string, std::unique_ptr<gauge>> gauges;
    std::map<std::string, std::unique_ptr<histogram>> histograms;
  };
  family& family_of(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mtx_;
  std::map<std::string, family> families_;
};

/// The node's registry, served at /metrics.
registry& global();

/// Renders labels as `a="x",b="y"` with Prometheus escaping.
std::string render_labels(const labels& ls);

}  // namespace sg::metrics
