#include "runtime/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace sg::metrics {

histogram::histogram(std::vector<double> bounds)
  : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i] = 0;
}

void histogram::observe(double v) {
  auto i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

std::string render_labels(const labels& ls) {
  std::string out;
  for (const auto& [k, v] : ls) {
    if (!out.empty())
      out += ',';
    out += k + "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"')
        out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

registry::family& registry::family_of(const std::string& name, const std::string& help,
                                      const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

counter& registry::get_counter(const std::string& name, const std::string& help,
                               const labels& ls) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = family_of(name, help, "counter").counters[render_labels(ls)];
  if (!slot)
    slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::get_gauge(const std::string& name, const std::string& help,
                           const labels& ls) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = family_of(name, help, "gauge").gauges[render_labels(ls)];
  if (!slot)
    slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::get_histogram(const std::string& name, const std::string& help,
                                   const labels& ls, const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = family_of(name, help, "histogram").histograms[render_labels(ls)];
  if (!slot)
    slot = std::make_unique<histogram>(bounds);
  return *slot;
}

std::optional<double> registry::value(const std::string& name, const labels& ls) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto f = families_.find(name);
  if (f == families_.end())
    return std::nullopt;
  auto key = render_labels(ls);
  if (auto c = f->second.counters.find(key); c != f->second.counters.end())
    return static_cast<double>(c->second->value());
  if (auto g = f->second.gauges.find(key); g != f->second.gauges.end())
    return static_cast<double>(g->second->value());
  return std::nullopt;
}

namespace {
std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string series(const std::string& name, const std::string& ls) {
  return ls.empty() ? name : name + "{" + ls + "}";
}
std::string with_le(const std::string& ls, const std::string& le) {
  return ls.empty() ? "le=\"" + le + "\"" : ls + ",le=\"" + le + "\"";
}
}  // namespace

std::string registry::render() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [ls, c] : f.counters)
      out += series(name, ls) + " " + std::to_string(c->value()) + "\n";
    for (const auto& [ls, g] : f.gauges)
      out += series(name, ls) + " " + std::to_string(g->value()) + "\n";
    for (const auto& [ls, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        cumulative += h->bucket(i);
        out += series(name + "_bucket", with_le(ls, number(h->bounds()[i]))) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += series(name + "_bucket", with_le(ls, "+Inf")) + " " +
             std::to_string(h->count()) + "\n";
      out += series(name + "_sum", ls) + " " + number(h->sum()) + "\n";
      out += series(name + "_count", ls) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

registry& global() {
  static registry instance;
  return instance;
}

}  // namespace sg::metrics
