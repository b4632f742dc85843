// The gateway's filters one by one, the way Envoy tests its filters: a
// filter, a request, an asserted verdict (and what it wrote on the response).
#define BOOST_TEST_MODULE filters
#include <boost/test/unit_test.hpp>

#include <caf/sec.hpp>

#include "gateway/auth_filter.hpp"
#include "gateway/middleware.hpp"
#include "gateway/problem.hpp"
#include "gateway/rate_limit.hpp"
#include "gateway/route_table.hpp"

using namespace sg;

namespace {

struct fixture {
  route_table routes;
  const route_spec* json_route;
  const route_spec* stream_route;
  httplib::Request req;
  httplib::Response res;
  request_context ctx;

  fixture() {
    json_route = &routes.add({"PATCH", "/api/v1/videos/{id}", "api", body_kind::bounded, auth_need::optional, {}});
    stream_route = &routes.add({"PATCH", "/api/v1/uploads/{id}", "upload", body_kind::stream, auth_need::optional, {}});
    req.method = "PATCH";
    req.remote_addr = "192.0.2.1";
  }

  // Runs one filter; true when it let the request through.
  bool run(middleware& m, const std::string& path) {
    req.path = path;
    ctx.route = routes.find(req.method, path);
    return m.on_request(req, res, ctx);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(body_limits_filter, fixture)

BOOST_AUTO_TEST_CASE(a_chunked_body_passes_to_be_cut_while_it_is_read) {
  auto f = make_body_limits(1000);
  req.set_header("Transfer-Encoding", "Chunked");
  BOOST_TEST(run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(!ctx.close_connection);
}

BOOST_AUTO_TEST_CASE(an_announced_body_past_the_limit_is_refused_before_it_is_read) {
  auto f = make_body_limits(1000);
  req.set_header("Content-Length", "1001");
  BOOST_TEST(!run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(res.status == 413);
  BOOST_TEST(!ctx.close_connection);  // the edge closes it: the body stays unread
}

BOOST_AUTO_TEST_CASE(a_streaming_route_is_not_bounded_here) {
  auto f = make_body_limits(1000);
  req.set_header("Content-Length", "5000000000");
  BOOST_TEST(run(*f, "/api/v1/uploads/0123456789abcdef0123456789abcdef"));
}

BOOST_AUTO_TEST_CASE(an_unknown_route_reads_no_body) {
  auto f = make_body_limits(1000);
  req.set_header("Content-Length", "10");
  BOOST_TEST(!run(*f, "/api/v1/uploads/x/y"));
  BOOST_TEST(res.status == 404);
}

BOOST_AUTO_TEST_CASE(a_route_without_a_body_refuses_one) {
  auto f = make_body_limits(1000);
  routes.add({"DELETE", "/api/v1/jobs/{id}", "api", body_kind::none, auth_need::required, {}});
  req.method = "DELETE";
  req.set_header("Content-Length", "0");
  BOOST_TEST(run(*f, "/api/v1/jobs/j1"));  // an empty body is no body
  fixture fx;
  fx.routes.add({"DELETE", "/api/v1/jobs/{id}", "api", body_kind::none, auth_need::required, {}});
  fx.req.method = "DELETE";
  fx.req.set_header("Transfer-Encoding", "chunked");
  BOOST_TEST(!fx.run(*f, "/api/v1/jobs/j1"));
  BOOST_TEST(fx.res.status == 413);
}

BOOST_AUTO_TEST_CASE(conflicting_framing_is_refused) {
  for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
         {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked, gzip"}}) {
    fixture fx;
    auto f = make_body_limits(1000);
    fx.req.set_header(name, value);
    BOOST_TEST(!fx.run(*f, "/api/v1/videos/0123456789abcdef"));
    BOOST_TEST(fx.res.status == 400);
    BOOST_TEST(fx.ctx.close_connection);  // where the body ends is unknown
  }
  fixture both;
  auto f = make_body_limits(1000);
  both.req.set_header("Transfer-Encoding", "chunked");
  both.req.set_header("Content-Length", "5");
  BOOST_TEST(!both.run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(both.res.status == 400);
  fixture twice;
  twice.req.set_header("Content-Length", "5");
  twice.req.set_header("Content-Length", "6");
  BOOST_TEST(!twice.run(*f, "/api/v1/videos/0123456789abcdef"));
  fixture malformed;
  malformed.req.set_header("Content-Length", "-5");
  BOOST_TEST(!malformed.run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(malformed.res.status == 400);
}

BOOST_AUTO_TEST_CASE(no_framing_means_no_body) {
  auto f = make_body_limits(1000);
  BOOST_TEST(run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(!ctx.close_connection);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(request_id_and_cors, fixture)

BOOST_AUTO_TEST_CASE(a_sane_request_id_is_kept_and_a_hostile_one_replaced) {
  auto f = make_request_id();
  req.set_header("X-Request-Id", "client-42");
  BOOST_TEST(run(*f, "/health/live"));
  BOOST_TEST(ctx.id == "client-42");
  BOOST_TEST(res.get_header_value("X-Request-Id") == "client-42");
  fixture hostile;
  hostile.req.set_header("X-Request-Id", "a b\r\nSet-Cookie: x");
  BOOST_TEST(hostile.run(*f, "/health/live"));
  BOOST_TEST(hostile.ctx.id.size() == 16u);
}

BOOST_AUTO_TEST_CASE(a_preflight_from_an_allowed_origin_is_answered) {
  auto f = make_cors({"http://allowed.example"});
  req.method = "OPTIONS";
  req.set_header("Origin", "http://allowed.example");
  req.set_header("Access-Control-Request-Method", "PATCH");
  BOOST_TEST(!run(*f, "/api/v1/uploads"));
  BOOST_TEST(res.status == 204);
  BOOST_TEST(res.get_header_value("Access-Control-Allow-Origin") == "http://allowed.example");
  fixture other;
  other.req.method = "OPTIONS";
  other.req.set_header("Origin", "http://evil.example");
  other.req.set_header("Access-Control-Request-Method", "PATCH");
  BOOST_TEST(!other.run(*f, "/api/v1/uploads"));
  BOOST_TEST(other.res.status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(rate_limit_filters, fixture)

BOOST_AUTO_TEST_CASE(the_ip_bucket_runs_dry_then_answers_429) {
  auto limiters = make_rate_limiters(rate_rules({{"api", 1, 3}}));
  for (int i = 0; i < 3; ++i) {
    fixture fx;
    BOOST_TEST(fx.run(*limiters.by_ip, "/api/v1/videos/0123456789abcdef"));
  }
  fixture dry;
  BOOST_TEST(!dry.run(*limiters.by_ip, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(dry.res.status == 429);
  BOOST_TEST(dry.res.has_header("Retry-After"));
  fixture elsewhere;  // another client IP has its own bucket
  elsewhere.req.remote_addr = "192.0.2.2";
  BOOST_TEST(elsewhere.run(*limiters.by_ip, "/api/v1/videos/0123456789abcdef"));
}

BOOST_AUTO_TEST_CASE(the_wallet_bucket_only_counts_signed_in_requests) {
  auto limiters = make_rate_limiters(rate_rules({{"api", 1, 1}}));
  fixture anonymous;
  BOOST_TEST(anonymous.run(*limiters.by_wallet, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(anonymous.run(*limiters.by_wallet, "/api/v1/videos/0123456789abcdef"));
  fixture first;
  first.ctx.address = "0xabc";
  BOOST_TEST(first.run(*limiters.by_wallet, "/api/v1/videos/0123456789abcdef"));
  fixture second;
  second.ctx.address = "0xabc";
  second.req.remote_addr = "192.0.2.9";  // from another IP: the same wallet's bucket
  BOOST_TEST(!second.run(*limiters.by_wallet, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(second.res.status == 429);
}

BOOST_AUTO_TEST_CASE(unmetered_groups_pass) {
  auto limiters = make_rate_limiters(rate_rules({}));
  for (int i = 0; i < 1000; ++i) {
    fixture fx;
    fx.req.method = "GET";
    fx.routes.add({"GET", "/v/{id}/{token}/{file*}", "media", body_kind::none, auth_need::optional, {}});
    BOOST_TEST_REQUIRE(fx.run(*limiters.by_ip, "/v/a/b/c.m4s"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(bearer_auth_filter, fixture)

// No auth service runs here: whatever reaches the session check answers 503,
// so a pass proves the filter decided from the route table alone.
BOOST_AUTO_TEST_CASE(a_required_session_is_refused_before_the_route_runs) {
  gateway_context gw;
  auto f = make_bearer_auth(gw);
  routes.add({"DELETE", "/api/v1/jobs/{id}", "api", body_kind::none, auth_need::required, {}});
  req.method = "DELETE";
  BOOST_TEST(!run(*f, "/api/v1/jobs/j1"));
  BOOST_TEST(res.status == 401);
  BOOST_TEST(res.get_header_value("WWW-Authenticate") == "Bearer");
}

BOOST_AUTO_TEST_CASE(an_optional_session_lets_anonymous_callers_through) {
  gateway_context gw;
  auto f = make_bearer_auth(gw);
  BOOST_TEST(run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(ctx.address.empty());
  req.set_header("Authorization", "Bearer not-a-token");
  BOOST_TEST(!run(*f, "/api/v1/videos/0123456789abcdef"));
  BOOST_TEST(res.status == 503);  // a sent token is always checked
}

BOOST_AUTO_TEST_CASE(routes_without_sessions_leave_the_header_alone) {
  gateway_context gw;
  auto f = make_bearer_auth(gw);
  routes.add({"POST", "/api/v1/auth/refresh", "auth", body_kind::bounded, auth_need::none, {}});
  req.method = "POST";
  req.set_header("Authorization", "Bearer a-refresh-token");
  BOOST_TEST(run(*f, "/api/v1/auth/refresh"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(error_codes_map_to_http_statuses) {
  BOOST_TEST(http_status(errc::checksum_mismatch) == 460);
  BOOST_TEST(http_status(errc::offset_mismatch) == 409);
  BOOST_TEST(http_status(errc::gone) == 410);
  BOOST_TEST(http_status(errc::insufficient_storage) == 507);
  httplib::Response res;
  problem(res, caf::make_error(caf::sec::request_timeout));
  BOOST_TEST(res.status == 503);
}

BOOST_AUTO_TEST_CASE(the_route_table_matches_segment_by_segment) {
  route_table t;
  const auto& media = t.add({"GET", "/v/{id}/{token}/{file*}", "media", body_kind::none, auth_need::optional, {}});
  const auto& one = t.add({"GET", "/api/v1/videos/{id}", "api", body_kind::none, auth_need::optional, {}});
  BOOST_TEST(t.find("GET", "/v/a/b/720p/seg_00001.m4s") == &media);
  BOOST_TEST(t.find("HEAD", "/v/a/b/c") == &media);
  BOOST_TEST(t.find("GET", "/v/a/b/") == nullptr);
  BOOST_TEST(t.find("GET", "/v//b/c") == nullptr);
  BOOST_TEST(t.find("GET", "/api/v1/videos/x") == &one);
  BOOST_TEST(t.find("GET", "/api/v1/videos/x/") == nullptr);
  BOOST_TEST(t.find("POST", "/api/v1/videos/x") == nullptr);
  BOOST_TEST(media.label == "/v/{id}/{token}/{file}");
  BOOST_TEST(one.regex() == "/api/v1/videos/([^/]+)");
}
