#include "gateway/problem.hpp"

#include <caf/sec.hpp>

#include "gateway/middleware.hpp"
#include "messages/errors.hpp"
#include "runtime/json.hpp"
#include "runtime/log.hpp"

namespace sg {

const char* status_title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 460: return "Checksum Mismatch";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

void problem(httplib::Response& res, int status, const std::string& detail) {
  const auto& ctx = current_request();
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", status_title(status)},
                         {"status", status},
                         {"detail", detail},
                         {"request_id", ctx.id}};
  res.status = status;
  res.set_content(dump_json(body), "application/problem+json");
  bool failed = status >= 500;
  log::write(failed ? log::level::error : log::level::info, "gateway",
             failed ? "request failed" : "request refused",
             {{"request_id", ctx.id}, {"status", status}, {"route", ctx.label()}, {"detail", detail}});
}

void send_json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(dump_json(body), "application/json");
}

int http_status(errc x) {
  switch (x) {
    case errc::bad_request: return 400;
    case errc::not_found: return 404;
    case errc::conflict: return 409;
    case errc::offset_mismatch: return 409;
    case errc::gone: return 410;
    case errc::too_large: return 413;
    case errc::unsupported_media_type: return 415;
    case errc::checksum_mismatch: return 460;
    case errc::forbidden: return 403;
    case errc::unavailable: return 503;
    case errc::internal: return 500;
    case errc::unauthorized: return 401;
    case errc::insufficient_storage: return 507;
  }
  return 500;
}

// Unavailable means "try again soon": say when (RFC 9110 §10.2.3), once.
namespace {
void retry_soon(httplib::Response& res) {
  if (!res.has_header("Retry-After"))
    res.set_header("Retry-After", "5");
}
}  // namespace

void problem(httplib::Response& res, const caf::error& e) {
  if (e.category() == error_category) {
    auto code = static_cast<errc>(e.code());
    auto detail = error_detail(e);
    if (code == errc::unavailable)
      retry_soon(res);
    problem(res, http_status(code), detail.empty() ? to_string(code) : detail);
    return;
  }
  if (e == caf::sec::request_timeout || e == caf::sec::request_receiver_down) {
    retry_soon(res);
    problem(res, 503, "a service did not answer in time");
    return;
  }
  log::error("gateway", "unexpected actor error", {{"error", caf::to_string(e)}});
  problem(res, 500, "internal error");
}

}  // namespace sg
