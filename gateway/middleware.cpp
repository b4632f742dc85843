#include "gateway/middleware.hpp"

#include <algorithm>
#include <unordered_map>

#include "gateway/bounded_server.hpp"
#include "gateway/problem.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/text.hpp"

namespace sg {

request_context& current_request() {
  thread_local request_context ctx;
  return ctx;
}

const std::string& request_context::label() const {
  static const std::string unmatched = "unmatched";
  return route != nullptr ? route->label : unmatched;
}

const std::string& request_context::group() const {
  static const std::string other = "other";
  return route != nullptr ? route->group : other;
}

void body_consumed() {
  current_connection().unread_body = false;
}

namespace {

bool valid_request_id(const std::string& s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

class request_id final : public middleware {
public:
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context& ctx) override {
    auto given = req.get_header_value("X-Request-Id");
    ctx.id = valid_request_id(given) ? given : random_hex(8);
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
    auto& conn = current_connection();
    conn.filtered = true;
    conn.body_announced = f.announced;
    conn.unread_body = f.announced;
    if (f.error != nullptr) {
      problem(res, 400, f.error);
      return false;
    }
    if (ctx.route == nullptr) {
      if (!f.announced)
        return true;  // httplib answers 404
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
    conn.body_budget = max_bytes_;  // a chunked body is cut here while it is read
    return true;
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

metrics::gauge& in_flight() {
  static auto& g = metrics::global().get_gauge("streamgate_http_requests_in_flight",
                                               "HTTP requests being served");
  return g;
}

// A request httplib refused before the pipeline ran still gets an id.
request_context& begun_request(httplib::Response& res) {
  auto& ctx = current_request();
  if (ctx.id.empty()) {
    ctx.start = std::chrono::steady_clock::now();
    ctx.id = random_hex(8);
    res.set_header("X-Request-Id", ctx.id);
  }
  return ctx;
}

void record(const httplib::Request& req, const httplib::Response& res) {
  auto& ctx = current_request();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  auto status = std::to_string(res.status);
  // Series are found once per thread: the registry's lock and label
  // rendering stay off the per-request path.
  thread_local std::unordered_map<std::string, metrics::counter*> counters;
  thread_local std::unordered_map<std::string, metrics::histogram*> histograms;
  const auto& route = ctx.label();
  auto series = req.method + ' ' + route;
  auto& latency = histograms[series];
  if (latency == nullptr) {
    static const std::vector<double> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    latency = &metrics::global().get_histogram("streamgate_http_request_duration_seconds",
                                               "HTTP request latency",
                                               {{"method", req.method}, {"route", route}}, bounds);
  }
  auto& answered = counters[series + ' ' + status];
  if (answered == nullptr)
    answered = &metrics::global().get_counter(
      "streamgate_http_requests_total", "HTTP requests answered",
      {{"method", req.method}, {"route", route}, {"status", status}});
  answered->inc();
  latency->observe(seconds);
  log::info("access", "request",
            {{"request_id", ctx.id}, {"method", req.method}, {"route", route},
             {"path", req.path}, {"status", res.status}, {"bytes", res.body.size()},
             {"duration_ms", seconds * 1000}, {"remote", req.remote_addr}});
}

// Statuses httplib or the socket layer set without a body get one here.
void explain(const httplib::Request& req, httplib::Response& res) {
  const auto& conn = current_connection();
  if (conn.head_too_large)
    return problem(res, 431, "the request head is too large");
  if (conn.head_timed_out)
    return problem(res, 408, "the request head did not arrive in time");
  if (conn.body_too_large)
    return problem(res, 413, "the body exceeds the limit of this route");
  if (res.body.empty() && req.method != "HEAD")
    problem(res, res.status, res.status == 404 ? "no such resource: " + req.path
                                               : status_title(res.status));
}

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

void install_pipeline(httplib::Server& svr, std::shared_ptr<middleware_chain> chain,
                      std::shared_ptr<const route_table> routes) {
  svr.set_pre_routing_handler([chain, routes](const httplib::Request& req, httplib::Response& res) {
    auto& ctx = current_request();
    ctx = request_context{};
    ctx.start = std::chrono::steady_clock::now();
    ctx.route = routes->find(req.method, req.path);
    ctx.in_flight = true;
    in_flight().add(1);
    for (auto& m : *chain)
      if (!m->on_request(req, res, ctx))
        return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    const auto& conn = current_connection();
    if (conn.unread_body || conn.close_after)
      res.set_header("Connection", "close");
  });
  // Nothing here may throw past httplib: these run outside its handler guard.
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    try {
      auto& ctx = current_request();
      if (ctx.in_flight)
        in_flight().add(-1);
      record(req, res);
      ctx = request_context{};
    } catch (const std::exception& e) {
      std::fprintf(stderr, "access log failed: %s\n", e.what());
    }
  });
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    try {
      begun_request(res);
      explain(req, res);
    } catch (const std::exception&) {
      res.set_content(R"({"type":"about:blank","title":"Server Error","status":500})",
                      "application/problem+json");
    }
  });
  svr.set_exception_handler(
    [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      log::error("gateway", "handler threw",
                 {{"request_id", current_request().id}, {"path", req.path}, {"error", what}});
      problem(res, 500, "internal error");
    });
}

}  // namespace sg
