#pragma once
// Registers routes in the route table and with the dispatcher from one call,
// so the table the filters read and the dispatch cannot disagree.
#include <string>

#include "gateway/dispatch.hpp"
#include "gateway/route_table.hpp"

namespace sg {

class router {
public:
  using handler = dispatcher::handler;
  using stream_handler = dispatcher::stream_handler;

  router(dispatcher& d, route_table& table) : dispatch_(d), table_(table) {}

  /// GET also answers HEAD. `traits`: the rate-limit group, and whether a
  /// session is needed (optional unless said).
  void get(const std::string& pattern, route_traits traits, handler h) {
    dispatch_.add(add("GET", pattern, traits, body_kind::none), std::move(h), nullptr);
  }
  void post(const std::string& pattern, route_traits traits, handler h) {
    dispatch_.add(add("POST", pattern, traits, body_kind::bounded), std::move(h), nullptr);
  }
  void patch(const std::string& pattern, route_traits traits, handler h) {
    dispatch_.add(add("PATCH", pattern, traits, body_kind::bounded), std::move(h), nullptr);
  }
  void del(const std::string& pattern, route_traits traits, handler h) {
    dispatch_.add(add("DELETE", pattern, traits, body_kind::none), std::move(h), nullptr);
  }
  void options(const std::string& pattern, route_traits traits, handler h) {
    dispatch_.add(add("OPTIONS", pattern, traits, body_kind::none), std::move(h), nullptr);
  }
  /// Handlers that read their body themselves, in pieces (uploads).
  void post_stream(const std::string& pattern, route_traits traits, stream_handler h) {
    dispatch_.add(add("POST", pattern, traits, body_kind::stream), nullptr, std::move(h));
  }
  void patch_stream(const std::string& pattern, route_traits traits, stream_handler h) {
    dispatch_.add(add("PATCH", pattern, traits, body_kind::stream), nullptr, std::move(h));
  }

private:
  const route_spec& add(const char* method, const std::string& pattern, route_traits traits, body_kind body) {
    return table_.add(route_spec{method, pattern, traits.group, body, traits.auth, {}, traits.on_loop});
  }
  dispatcher& dispatch_;
  route_table& table_;
};

}  // namespace sg
