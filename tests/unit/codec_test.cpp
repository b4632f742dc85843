#define BOOST_TEST_MODULE codec
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "messages/errors.hpp"
#include "messages/video_json.hpp"
#include "runtime/metrics.hpp"

using namespace sg;

BOOST_AUTO_TEST_CASE(video_round_trips_through_json) {
  video v;
  v.id = "0123456789abcdef";
  v.title = "Tïtle \"quoted\"";
  v.tags = {"a", "b"};
  v.progress = 0.5;
  v.duration_ms = 12345;
  v.source_bytes = uint64_t{1} << 40;
  v.created_ms = 1735689600000;
  auto back = nlohmann::json::parse(nlohmann::json(v).dump()).get<video>();
  BOOST_TEST(back.title == v.title);
  BOOST_TEST(back.tags == v.tags);
  BOOST_TEST(back.progress == 0.5);
  BOOST_TEST(back.source_bytes == v.source_bytes);
  BOOST_TEST(back.created_ms == v.created_ms);
}

BOOST_AUTO_TEST_CASE(old_records_load_with_defaults) {
  auto v = nlohmann::json::parse(R"({"id":"x","title":"t"})").get<video>();
  BOOST_TEST(to_string(v.status) == "queued");
  BOOST_TEST(v.tags.empty());
}

BOOST_AUTO_TEST_CASE(upload_round_trips_through_json) {
  upload_info u;
  u.id = "u";
  u.video_id = "v";
  u.spec.length = 99;
  u.spec.concat_parts = {"p1", "p2"};
  u.spec.concat_lengths = {40, 59};
  u.spec.raw_metadata = "title SGk=";
  u.offset = 42;
  u.state = upload_state::expired;
  auto back = nlohmann::json::parse(nlohmann::json(u).dump()).get<upload_info>();
  BOOST_TEST(back.spec.concat_lengths == u.spec.concat_lengths);
  BOOST_TEST(back.spec.raw_metadata == u.spec.raw_metadata);
  BOOST_TEST(back.offset == 42u);
  BOOST_TEST(to_string(back.state) == "expired");
  BOOST_TEST(back.is_final());
}

BOOST_AUTO_TEST_CASE(errors_compare_by_code_and_category) {
  auto e = make_error(errc::not_found, "video x does not exist");
  BOOST_TEST((e == errc::not_found));
  BOOST_TEST(!(e == errc::gone));
  BOOST_TEST(error_detail(e) == "video x does not exist");
  caf::error foreign{static_cast<uint8_t>(errc::not_found), caf::atom("other")};
  BOOST_TEST(!(foreign == errc::not_found));
  BOOST_TEST(error_detail(foreign).empty());
  // Pinned: codes cross process boundaries and keep their numbers.
  BOOST_TEST(static_cast<int>(errc::bad_request) == 1);
  BOOST_TEST(static_cast<int>(errc::unauthorized) == 12);
  BOOST_TEST(static_cast<int>(errc::insufficient_storage) == 13);
}

BOOST_AUTO_TEST_CASE(prometheus_text) {
  metrics::registry r;
  r.get_counter("sg_requests_total", "Requests", {{"route", "/a\"b"}}).inc(3);
  r.get_gauge("sg_in_flight", "In flight").set(2);
  auto& h = r.get_histogram("sg_seconds", "Latency", {{"route", "/x"}}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = r.render();
  BOOST_TEST(text.find("# TYPE sg_requests_total counter\n") != std::string::npos);
  BOOST_TEST(text.find("sg_requests_total{route=\"/a\\\"b\"} 3\n") != std::string::npos);
  BOOST_TEST(text.find("sg_in_flight 2\n") != std::string::npos);
  BOOST_TEST(text.find("sg_seconds_bucket{route=\"/x\",le=\"0.10000000000000001\"} 1\n") !=
             std::string::npos);
  BOOST_TEST(text.find("sg_seconds_bucket{route=\"/x\",le=\"1\"} 2\n") != std::string::npos);
  BOOST_TEST(text.find("sg_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n") != std::string::npos);
  BOOST_TEST(text.find("sg_seconds_count{route=\"/x\"} 3\n") != std::string::npos);
}
