#include "runtime/log.hpp"

#include <atomic>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "runtime/clock.hpp"

namespace sg::log {

namespace {
std::atomic<level> min_level{level::info};
const char* names[] = {"debug", "info", "warn", "error"};
}  // namespace

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
  nlohmann::json line = {{"ts", iso8601_ms(now_ms())},
                         {"level", names[static_cast<int>(l)]},
                         {"component", component},
                         {"msg", msg}};
  for (const auto& [key, val] : f)
    std::visit([&line, key = key](const auto& x) { line[key] = x; }, val.get());
  // One fwrite per line keeps lines whole across threads.
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace sg::log
