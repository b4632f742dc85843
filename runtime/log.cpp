#include "runtime/log.hpp"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <mutex>

#include <nlohmann/json.hpp>

#include "runtime/clock.hpp"
#include "runtime/text.hpp"

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

// The line is written by hand, not built as a JSON object: an access line
// per request made a dozen allocations for the object's map (measured on the
// segment path). Invalid UTF-8 is replaced as dump_json does.
void append_string(std::string& out, std::string_view s) {
  if (!text::valid_utf8(s)) {
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  out.append(text, ec == std::errc{} ? end : text);
}

struct value_writer {
  std::string& out;
  void operator()(const std::string& x) const { append_string(out, x); }
  void operator()(int64_t x) const { out += std::to_string(x); }
  void operator()(uint64_t x) const { out += std::to_string(x); }
  void operator()(double x) const { append_number(out, x); }
  void operator()(bool x) const { out += x ? "true" : "false"; }
  void operator()(const std::vector<std::string>& xs) const {
    out += '[';
    for (size_t i = 0; i < xs.size(); ++i) {
      if (i > 0)
        out += ',';
      append_string(out, xs[i]);
    }
    out += ']';
  }
};

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
  std::string text;
  text.reserve(256);
  text += "{\"ts\":\"" + iso8601_ms(now) + "\",\"level\":\"" + names[static_cast<int>(l)] + "\",\"component\":";
  append_string(text, component);
  text += ",\"msg\":";
  append_string(text, msg);
  for (const auto& [key, val] : f) {
    text += ',';
    append_string(text, key);
    text += ':';
    std::visit(value_writer{text}, val.get());
  }
  text += '}';
  // One fwrite per line keeps lines whole across threads.
  remember({now, l, component, text});
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace sg::log
