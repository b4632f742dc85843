#pragma once
// Structured logs: one JSON object per line on stderr with time, level,
// component, message and any fields (request_id among them when known).
// The fields are plain values so that logging does not drag a JSON library
// into every file; runtime/log.cpp renders them.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace sg::log {

enum class level { debug, info, warn, error };

/// A field's value: text, a number, a flag or a list of names.
class value {
public:
  using variant = std::variant<std::string, int64_t, uint64_t, double, bool, std::vector<std::string>>;

  value(const char* s) : v_(std::string{s ? s : ""}) {}
  value(std::string s) : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string{s}) {}
  value(bool b) : v_(b) {}
  value(std::vector<std::string> names) : v_(std::move(names)) {}
  value(double d) : v_(d) {}
  value(float d) : v_(static_cast<double>(d)) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  value(T n) {
    if constexpr (std::is_signed_v<T>)
      v_ = static_cast<int64_t>(n);
    else
      v_ = static_cast<uint64_t>(n);
  }

  const variant& get() const { return v_; }

private:
  variant v_;
};

struct field {
  const char* key;
  value val;
};

using fields = std::initializer_list<field>;

void set_level(const std::string& name);
bool enabled(level l);
/// The level a name names ("debug", "info", "warn", "error"); false otherwise.
bool level_named(const std::string& name, level* out);

/// The node keeps its last `lines` log lines in memory (0: none), for
/// operators to query without a log shipper.
void keep_recent(size_t lines);

/// A kept line: what filters need, and the line as written.
struct recent_line {
  int64_t ts_ms = 0;
  level lvl = level::info;
  std::string component;
  std::string json;
};

struct recent_query {
  level min_level = level::debug;
  std::string component;  // empty: any
  int64_t since_ms = 0;   // unix ms; 0: all kept
  size_t limit = 1000;    // the newest that match, oldest first
};

std::vector<recent_line> recent(const recent_query& q);
void write(level l, const char* component, const std::string& msg, fields f = {});

inline void debug(const char* c, const std::string& m, fields f = {}) {
  if (enabled(level::debug)) write(level::debug, c, m, f);
}
inline void info(const char* c, const std::string& m, fields f = {}) {
  write(level::info, c, m, f);
}
inline void warn(const char* c, const std::string& m, fields f = {}) {
  write(level::warn, c, m, f);
}
inline void error(const char* c, const std::string& m, fields f = {}) {
  write(level::error, c, m, f);
}

}  // namespace sg::log
