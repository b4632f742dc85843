#include "gateway/middleware.hpp"

#include <algorithm>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "gateway/problem.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"

namespace sg {

request_context& current_request() {
  thread_local request_context ctx;
  return ctx;
}

void close_connection(const httplib::Request&, httplib::Response& res) {
  current_request().close = true;
  res.set_header("Connection", "close");
}

namespace {
// httplib 0.11 keeps a connection open whatever the response says, unless
// writing the response fails. So the body goes out through a provider that
// writes it whole and then reports failure: the client gets the complete
// answer, and httplib drops the connection with the unread body on it.
void send_then_close(httplib::Response& res) {
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  auto type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");
  res.set_content_provider(
    body->size(), type.empty() ? "text/plain" : type,
    [body](size_t, size_t, httplib::DataSink& sink) {
      sink.write(body->data(), body->size());
      return false;
    });
}
}  // namespace

bool is_streaming_route(const httplib::Request& req) {
  const auto& p = req.path;
  if (req.method == "PATCH" || req.method == "POST")
    return p.rfind("/api/v1/uploads", 0) == 0 || p == "/api/v1/videos/upload";
  return false;
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

class header_limits final : public middleware {
public:
  explicit header_limits(size_t max_bytes) : max_bytes_(max_bytes) {}
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context&) override {
    size_t total = req.target.size();
    for (const auto& [k, v] : req.headers)
      total += k.size() + v.size() + 4;
    if (total <= max_bytes_)
      return true;
    close_connection(req, res);
    problem(res, 431, "request headers exceed " + std::to_string(max_bytes_) + " bytes");
    return false;
  }
private:
  size_t max_bytes_;
};

// httplib reads a chunked body whole, past any length limit, before routing
// ends; so a chunked body is refused up front unless its route streams it.
class body_limits final : public middleware {
public:
  explicit body_limits(size_t max_bytes) : max_bytes_(max_bytes) {}
  bool on_request(const httplib::Request& req, httplib::Response& res,
                  request_context&) override {
    if (is_streaming_route(req))
      return true;
    if (req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos) {
      close_connection(req, res);
      problem(res, 411, "chunked bodies are not accepted here; send Content-Length");
      return false;
    }
    auto length = req.get_header_value<uint64_t>("Content-Length");
    if (length <= max_bytes_)
      return true;
    close_connection(req, res);
    problem(res, 413, "body exceeds " + std::to_string(max_bytes_) + " bytes");
    return false;
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

void record(const httplib::Request& req, const httplib::Response& res) {
  auto& ctx = current_request();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  auto status = std::to_string(res.status);
  // Series are found once per thread: the registry's lock and label
  // rendering stay off the per-request path.
  thread_local std::unordered_map<std::string, metrics::counter*> counters;
  thread_local std::unordered_map<std::string, metrics::histogram*> histograms;
  auto series = req.method + ' ' + ctx.route;
  auto& latency = histograms[series];
  if (latency == nullptr) {
    static const std::vector<double> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    latency = &metrics::global().get_histogram("streamgate_http_request_duration_seconds",
                                               "HTTP request latency",
                                               {{"method", req.method}, {"route", ctx.route}}, bounds);
  }
  auto& answered = counters[series + ' ' + status];
  if (answered == nullptr)
    answered = &metrics::global().get_counter(
      "streamgate_http_requests_total", "HTTP requests answered",
      {{"method", req.method}, {"route", ctx.route}, {"status", status}});
  answered->inc();
  latency->observe(seconds);
  log::info("access", "request",
            {{"request_id", ctx.id}, {"method", req.method}, {"route", ctx.route},
             {"path", req.path}, {"status", res.status}, {"bytes", res.body.size()},
             {"duration_ms", seconds * 1000}, {"remote", req.remote_addr}});
}

}  // namespace

middleware_chain standard_chain(const http_settings& s) {
  middleware_chain chain;
  chain.push_back(std::make_unique<request_id>());
  chain.push_back(std::make_unique<header_limits>(s.max_header_bytes));
  chain.push_back(std::make_unique<body_limits>(s.max_body_bytes));
  chain.push_back(std::make_unique<cors>(s.cors_origins));
  return chain;
}

void install_pipeline(httplib::Server& svr, std::shared_ptr<middleware_chain> chain) {
  svr.set_pre_routing_handler([chain](const httplib::Request& req, httplib::Response& res) {
    auto& ctx = current_request();
    ctx = request_context{};
    ctx.start = std::chrono::steady_clock::now();
    ctx.in_flight = true;
    in_flight().add(1);
    for (auto& m : *chain)
      if (!m->on_request(req, res, ctx))
        return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (current_request().close)
      send_then_close(res);
  });
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    auto& ctx = current_request();
    if (!ctx.in_flight) {  // refused by httplib before the pipeline ran
      ctx = request_context{};
      ctx.start = std::chrono::steady_clock::now();
    }
    in_flight().add(ctx.in_flight ? -1 : 0);
    ctx.in_flight = false;
    record(req, res);
  });
  // Unrouted paths, and statuses set without a body, get a problem body too.
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.body.empty() && req.method != "HEAD")
      problem(res, res.status, res.status == 404 ? "no such resource: " + req.path
                                                 : status_title(res.status));
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
