#pragma once
// Registers routes in the route table and with httplib from one call, so the
// table the filters read and the dispatch httplib does cannot disagree.
#include <string>

#include <httplib.h>

#include "gateway/middleware.hpp"
#include "gateway/route_table.hpp"

namespace sg {

class router {
public:
  using handler = httplib::Server::Handler;
  using stream_handler = httplib::Server::HandlerWithContentReader;

  router(httplib::Server& svr, route_table& table) : svr_(svr), table_(table) {}

  /// GET also answers HEAD. `traits`: the rate-limit group, and whether a
  /// session is needed (optional unless said).
  void get(const std::string& pattern, route_traits traits, handler h) {
    svr_.Get(add("GET", pattern, traits, body_kind::none), read_whole(std::move(h)));
  }
  void post(const std::string& pattern, route_traits traits, handler h) {
    svr_.Post(add("POST", pattern, traits, body_kind::bounded), read_whole(std::move(h)));
  }
  void patch(const std::string& pattern, route_traits traits, handler h) {
    svr_.Patch(add("PATCH", pattern, traits, body_kind::bounded), read_whole(std::move(h)));
  }
  void del(const std::string& pattern, route_traits traits, handler h) {
    svr_.Delete(add("DELETE", pattern, traits, body_kind::none), read_whole(std::move(h)));
  }
  void options(const std::string& pattern, route_traits traits, handler h) {
    svr_.Options(add("OPTIONS", pattern, traits, body_kind::none), read_whole(std::move(h)));
  }
  /// Handlers that read their body themselves, in pieces (uploads).
  void post_stream(const std::string& pattern, route_traits traits, stream_handler h) {
    svr_.Post(add("POST", pattern, traits, body_kind::stream), std::move(h));
  }
  void patch_stream(const std::string& pattern, route_traits traits, stream_handler h) {
    svr_.Patch(add("PATCH", pattern, traits, body_kind::stream), std::move(h));
  }

private:
  // httplib reads a bounded route's body whole before its handler runs.
  static handler read_whole(handler h) {
    return [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
      body_consumed();
      h(req, res);
    };
  }
  std::string add(const char* method, const std::string& pattern, route_traits traits, body_kind body) {
    return table_.add(route_spec{method, pattern, traits.group, body, traits.auth, {}}).regex();
  }
  httplib::Server& svr_;
  route_table& table_;
};

}  // namespace sg
