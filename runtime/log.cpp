#include "runtime/log.hpp"

#include <atomic>
#include <cstdio>
#include <deque>
#include <mutex>

#include <nlohmann/json.hpp>

#include "runtime/clock.hpp"

namespace sg::log {

namespace {
std::atomic<level> min_level{level::info};
const char* names[] = {"debug", "info", "warn", "error"};

// The recent lines, oldest first, at most `capacity`.
struct recent_ring {
  std::mutex mutex;
  std::deque<recent_line> lines;
  size_t capacity = 0;
};

recent_ring& ring() {
  static recent_ring r;
  return r;
}

void remember(recent_line line) {
  auto& r = ring();
  std::lock_guard<std::mutex> lock{r.mutex};
  if (r.capacity == 0)
    return;
  if (r.lines.size() == r.capacity)
    r.lines.pop_front();
  r.lines.push_back(std::move(line));
}
}  // namespace

bool level_named(const std::string& name, level* out) {
  for (int i = 0; i < 4; ++i)
    if (name == names[i]) {
      *out = static_cast<level>(i);
      return true;
    }
  return false;
}

void keep_recent(size_t lines) {
  auto& r = ring();
  std::lock_guard<std::mutex> lock{r.mutex};
  r.capacity = lines;
  while (r.lines.size() > lines)
    r.lines.pop_front();
}

std::vector<recent_line> recent(const recent_query& q) {
  auto& r = ring();
  std::lock_guard<std::mutex> lock{r.mutex};
  std::vector<recent_line> out;
  for (auto it = r.lines.rbegin(); it != r.lines.rend() && out.size() < q.limit; ++it)
    if (it->lvl >= q.min_level && it->ts_ms >= q.since_ms && (q.component.empty() || it->component == q.component))
      out.push_back(*it);
  return {out.rbegin(), out.rend()};
}

void set_level(const std::string& name) {
  for (int i = 0; i < 4; ++i)
    if (name == names[i]) min_level = static_cast<level>(i);
}

bool enabled(level l) {
  return l >= min_level.load(std::memory_order_relaxed);
}

void write(level l, const char* component, const std::string& msg, fields f) {
  if (!enabled(l))
    return;
  auto now = now_ms();
  nlohmann::json line = {{"ts", iso8601_ms(now)},
                         {"level", names[static_cast<int>(l)]},
                         {"component", component},
                         {"msg", msg}};
  for (const auto& [key, val] : f)
    std::visit([&line, key = key](const auto& x) { line[key] = x; }, val.get());
  // One fwrite per line keeps lines whole across threads.
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  remember({now, l, component, text});
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace sg::log
