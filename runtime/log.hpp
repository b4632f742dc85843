#pragma once
// Structured logs: one JSON object per line on stderr with time, level,
// component, message and any fields (request_id among them when known).
#include <string>

#include <nlohmann/json.hpp>

namespace sg::log {

enum class level { debug, info, warn, error };

void set_level(const std::string& name);
bool enabled(level l);
void write(level l, const char* component, const std::string& msg,
           const nlohmann::json& fields = nlohmann::json::object());

inline void debug(const char* c, const std::string& m, const nlohmann::json& f = nlohmann::json::object()) {
  if (enabled(level::debug)) write(level::debug, c, m, f);
}
inline void info(const char* c, const std::string& m, const nlohmann::json& f = nlohmann::json::object()) {
  write(level::info, c, m, f);
}
inline void warn(const char* c, const std::string& m, const nlohmann::json& f = nlohmann::json::object()) {
  write(level::warn, c, m, f);
}
inline void error(const char* c, const std::string& m, const nlohmann::json& f = nlohmann::json::object()) {
  write(level::error, c, m, f);
}

}  // namespace sg::log
