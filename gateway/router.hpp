#pragma once
// Route registration that names each route by its pattern ("/api/v1/videos/{id}")
// for logs and metric labels, never by the raw path.
#include <string>

#include <httplib.h>

#include "gateway/middleware.hpp"

namespace sg {

class router {
public:
  using handler = httplib::Server::Handler;
  using stream_handler = httplib::Server::HandlerWithContentReader;

  explicit router(httplib::Server& svr) : svr_(svr) {}

  void get(const std::string& re, std::string label, handler h) {  // and HEAD
    svr_.Get(re, named(std::move(label), std::move(h)));
  }
  void post(const std::string& re, std::string label, handler h) {
    svr_.Post(re, named(std::move(label), std::move(h)));
  }
  void patch(const std::string& re, std::string label, handler h) {
    svr_.Patch(re, named(std::move(label), std::move(h)));
  }
  void del(const std::string& re, std::string label, handler h) {
    svr_.Delete(re, named(std::move(label), std::move(h)));
  }
  void options(const std::string& re, std::string label, handler h) {
    svr_.Options(re, named(std::move(label), std::move(h)));
  }
  /// Handlers that read their body themselves, in pieces.
  void post_stream(const std::string& re, std::string label, stream_handler h) {
    svr_.Post(re, named_stream(std::move(label), std::move(h)));
  }
  void patch_stream(const std::string& re, std::string label, stream_handler h) {
    svr_.Patch(re, named_stream(std::move(label), std::move(h)));
  }

private:
  static handler named(std::string label, handler h) {
    return [label = std::move(label), h = std::move(h)](const httplib::Request& req,
                                                         httplib::Response& res) {
      current_request().route = label;
      h(req, res);
    };
  }
  static stream_handler named_stream(std::string label, stream_handler h) {
    return [label = std::move(label), h = std::move(h)](const httplib::Request& req,
                                                         httplib::Response& res,
                                                         const httplib::ContentReader& body) {
      current_request().route = label;
      h(req, res, body);
    };
  }
  httplib::Server& svr_;
};

}  // namespace sg
