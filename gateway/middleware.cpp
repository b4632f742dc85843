#include "gateway/middleware.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

#include "gateway/problem.hpp"
#include "runtime/text.hpp"

namespace sg {

request_context& current_request() {
  thread_local request_context ctx;
  return ctx;
}

const std::string& path_param(size_t i) {
  static const std::string none;
  const auto& p = current_request().path_params;
  return i < p.size() ? p[i] : none;
}

const std::string& request_context::label() const {
  static const std::string unmatched = "unmatched";
  return route != nullptr ? route->label : unmatched;
}

const std::string& request_context::group() const {
  static const std::string other = "other";
  return route != nullptr ? route->group : other;
}

namespace {

bool valid_request_id(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

// Request ids need to be unique, not secret: a per-thread generator seeded
// once, instead of the system's (OpenSSL asks getpid on every call).
std::string fresh_request_id() {
  thread_local std::mt19937_64 bits{std::random_device{}() ^ std::hash<std::thread::id>{}(std::this_thread::get_id())};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(bits()));
  return text;
}

namespace {

class request_id final : public middleware {
public:
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& ctx) override {
    auto given = req.get_header_value("X-Request-Id");
    ctx.id = valid_request_id(given) ? given : fresh_request_id();
    res.set_header("X-Request-Id", ctx.id);
    return true;
  }
};

// How a request frames its body, read from headers whose names httplib
// already compares without case; values are compared without case too.
struct framing {
  bool announced = false;
  bool chunked = false;
  uint64_t length = 0;
  const char* error = nullptr;
};

framing framing_of(const httplib::Request& req) {
  framing f;
  auto te = req.get_header_value_count("Transfer-Encoding");
  auto cl = req.get_header_value_count("Content-Length");
  if (te > 0) {
    // httplib knows only "chunked"; anything else would be read to the end.
    if (te > 1 || !text::iequals(req.get_header_value("Transfer-Encoding"), "chunked"))
      f.error = "Transfer-Encoding must be chunked";
    else if (cl > 0)
      f.error = "Transfer-Encoding and Content-Length together";
    f.announced = f.chunked = true;
    return f;
  }
  if (cl > 1) {
    f.error = "more than one Content-Length";
  } else if (cl == 1) {
    auto n = text::parse_u64(req.get_header_value("Content-Length"));
    if (!n)
      f.error = "Content-Length is malformed";
    f.length = n.value_or(0);
  }
  f.announced = f.error != nullptr || f.length > 0;
  return f;
}

// Every body is bounded before it is read, whatever its framing: an unknown
// route and a route that takes no body read none, a streaming route reads in
// pieces (and bounds itself), any other route reads at most max_bytes.
class body_limits final : public middleware {
public:
  explicit body_limits(size_t max_bytes) : max_bytes_(max_bytes) {}
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& ctx) override {
    auto f = framing_of(req);
    if (f.error != nullptr) {
      ctx.close_connection = true;  // where this body ends, and the next request starts, is unknown
      problem(res, 400, f.error);
      return false;
    }
    if (ctx.route == nullptr) {
      if (!f.announced)
        return true;  // no route: 404 after the filters
      problem(res, 404, "no such resource");
      return false;
    }
    if (ctx.route->body == body_kind::stream)
      return true;
    if (ctx.route->body == body_kind::none && f.announced) {
      problem(res, 413, ctx.route->method + " " + ctx.route->label + " takes no body");
      return false;
    }
    if (f.length > max_bytes_) {
      problem(res, 413, "body exceeds " + std::to_string(max_bytes_) + " bytes");
      return false;
    }
    return true;  // a chunked body is cut at max_bytes by the edge while it is read
  }

private:
  size_t max_bytes_;
};

class cors final : public middleware {
public:
  explicit cors(std::vector<std::string> origins) : origins_(std::move(origins)) {}
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context&) override {
    auto origin = req.get_header_value("Origin");
    bool preflight = req.method == "OPTIONS" && req.has_header("Access-Control-Request-Method");
    if (origin.empty())
      return true;
    if (!allowed(origin)) {
      if (!preflight)
        return true;  // no CORS headers: the browser blocks the response
      problem(res, 403, "origin not allowed");
      return false;
    }
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Expose-Headers",
                   "Location, Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, "
                   "Upload-Concat, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, "
                   "Tus-Checksum-Algorithm, X-Request-Id, Retry-After");
    if (!preflight)
      return true;
    res.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers",
                   "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Offset, "
                   "Upload-Metadata, Upload-Checksum, Upload-Concat, Upload-Defer-Length, "
                   "X-Request-Id, X-HTTP-Method-Override, Range");
    res.set_header("Access-Control-Max-Age", "600");
    res.status = 204;
    return false;
  }
private:
  bool allowed(const std::string& origin) const {
    return std::any_of(origins_.begin(), origins_.end(),
                       [&](const std::string& o) { return o == "*" || o == origin; });
  }
  std::vector<std::string> origins_;
};

}  // namespace

std::unique_ptr<middleware> make_request_id() {
  return std::make_unique<request_id>();
}

std::unique_ptr<middleware> make_body_limits(size_t max_bytes) {
  return std::make_unique<body_limits>(max_bytes);
}

std::unique_ptr<middleware> make_cors(std::vector<std::string> origins) {
  return std::make_unique<cors>(std::move(origins));
}

middleware_chain standard_chain(const http_settings& s) {
  middleware_chain chain;
  chain.push_back(make_request_id());
  chain.push_back(make_body_limits(s.max_body_bytes));
  chain.push_back(make_cors(s.cors_origins));
  return chain;
}

}  // namespace sg
