#include "messages/analytics.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "messages/sketches.hpp"

namespace sg {

void view_stats::merge(const view_stats& other) {
  plays += other.plays;
  completed += other.completed;
  watch_ms += other.watch_ms;
  rebuffers += other.rebuffers;
  rebuffer_ms += other.rebuffer_ms;
  sketch::durations::merge(startup, other.startup);
  for (const auto& [name, ms] : other.rendition_ms)
    rendition_ms[rendition_ms.count(name) || rendition_ms.size() < max_renditions ? name : "other"] += ms;
  sketch::hll::merge(viewers, other.viewers);
}

namespace {
// A register holds 0..55: one character of this alphabet each.
constexpr char register_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";
}  // namespace

void to_json(nlohmann::json& j, const view_stats& s) {
  std::string regs;
  for (unsigned char r : s.viewers)
    regs += register_digits[r & 63];
  j = {{"plays", s.plays},         {"completed", s.completed},     {"watch_ms", s.watch_ms},
       {"rebuffers", s.rebuffers}, {"rebuffer_ms", s.rebuffer_ms}, {"startup", s.startup},
       {"rendition_ms", s.rendition_ms}, {"viewers", regs}};
}

void from_json(const nlohmann::json& j, view_stats& s) {
  s.plays = j.value("plays", uint64_t{0});
  s.completed = j.value("completed", uint64_t{0});
  s.watch_ms = j.value("watch_ms", uint64_t{0});
  s.rebuffers = j.value("rebuffers", uint64_t{0});
  s.rebuffer_ms = j.value("rebuffer_ms", uint64_t{0});
  s.startup = j.value("startup", std::vector<uint32_t>{});
  s.rendition_ms = j.value("rendition_ms", std::map<std::string, uint64_t>{});
  s.viewers.clear();
  auto regs = j.value("viewers", std::string{});
  if (regs.size() == sketch::hll::registers)
    for (char c : regs) {
      const char* at = std::strchr(register_digits, c);
      s.viewers += static_cast<char>(at && c ? at - register_digits : 0);
    }
}

namespace analytics_keys {

namespace {
std::string hour_text(int64_t hour_ms) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%013lld", static_cast<long long>(hour_ms));
  return buf;
}
}  // namespace

std::string video_prefix(const std::string& video_id) { return "v/" + video_id + "/"; }
std::string owner_prefix(const std::string& owner) { return "o/" + owner + "/"; }

std::string video_hour(const std::string& video_id, int64_t hour_ms) {
  return video_prefix(video_id) + hour_text(hour_ms);
}

std::string owner_hour(const std::string& owner, int64_t hour_ms, const std::string& video_id) {
  return owner_prefix(owner) + hour_text(hour_ms) + "/" + video_id;
}

int64_t hour_of(const std::string& key) {
  // The 13 digits after the second '/'.
  auto first = key.find('/');
  auto second = first == std::string::npos ? first : key.find('/', first + 1);
  return second == std::string::npos ? 0 : std::strtoll(key.c_str() + second + 1, nullptr, 10);
}

std::string video_of_owner_row(const std::string& key) {
  auto last = key.rfind('/');
  return last == std::string::npos ? std::string{} : key.substr(last + 1);
}

}  // namespace analytics_keys

}  // namespace sg
