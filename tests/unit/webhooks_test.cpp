// The jobs service's pure parts: which addresses a webhook may reach, the
// signature receivers verify, the backoff, the checks on a new webhook, the
// records' JSON, and the claim of a scheduled job.
#define BOOST_TEST_MODULE webhooks
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "actors/jobs/schedules.hpp"
#include "actors/jobs/webhooks.hpp"

#include <nlohmann/json.hpp>

using namespace sg;

namespace {

bool public_v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  BOOST_REQUIRE(inet_pton(AF_INET, text, &a.sin_addr) == 1);
  return webhooks::public_address(reinterpret_cast<sockaddr*>(&a));
}

bool public_v6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  BOOST_REQUIRE(inet_pton(AF_INET6, text, &a.sin6_addr) == 1);
  return webhooks::public_address(reinterpret_cast<sockaddr*>(&a));
}

}  // namespace

BOOST_AUTO_TEST_CASE(only_public_addresses_are_reachable) {
  for (auto* inside : {"127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                       "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.0.8",
                       "198.18.0.1"})
    BOOST_TEST(!public_v4(inside), inside);
  for (auto* outside : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "93.184.216.34"})
    BOOST_TEST(public_v4(outside), outside);
  for (auto* inside : {"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
                       "::ffff:10.0.0.1", "::ffff:169.254.169.254", "fec0::1"})
    BOOST_TEST(!public_v6(inside), inside);
  for (auto* outside : {"2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8"})
    BOOST_TEST(public_v6(outside), outside);
}

BOOST_AUTO_TEST_CASE(the_signature_is_hmac_sha256_of_time_dot_body) {
  // python3: hmac.new(b'whsec_test', b'1700000000.{"a":1}', sha256).hexdigest()
  BOOST_TEST(webhooks::signature("whsec_test", 1700000000, R"({"a":1})") ==
             "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_an_hour) {
  BOOST_TEST(webhooks::backoff_ms(1000, 1) == 1000);
  BOOST_TEST(webhooks::backoff_ms(1000, 2) == 2000);
  BOOST_TEST(webhooks::backoff_ms(1000, 4) == 8000);
  BOOST_TEST(webhooks::backoff_ms(1000, 40) == 3'600'000);
  BOOST_TEST(webhooks::backoff_ms(0, 1) == 1);
}

BOOST_AUTO_TEST_CASE(urls_and_events_are_checked) {
  BOOST_TEST(webhooks::check_url("https://example.com/hooks?x=1").empty());
  BOOST_TEST(webhooks::check_url("http://[2001:db8::1]:8080/").empty());
  for (auto* bad : {"", "example.com/x", "ftp://example.com/", "file:///etc/passwd", "gopher://x/",
                    "http://u:p@example.com/", "https://"})
    BOOST_TEST(!webhooks::check_url(bad).empty(), bad);
  BOOST_TEST(!webhooks::check_url("http://example.com/" + std::string(3000, 'a')).empty());
  BOOST_TEST(webhooks::check_events({"video.ready", "upload.completed"}).empty());
  BOOST_TEST(!webhooks::check_events({}).empty());
  BOOST_TEST(!webhooks::check_events({"video.ready", "video.ready"}).empty());
  BOOST_TEST(!webhooks::check_events({"video.deleted"}).empty());
}

BOOST_AUTO_TEST_CASE(records_survive_their_json) {
  delivery d;
  d.id = "dlv_1";
  d.webhook_id = "wh_1";
  d.owner = "0xabc";
  d.url = "http://example.com/";
  d.event = "video.ready";
  d.body = R"({"type":"video.ready"})";
  d.state = "dead";
  d.attempts = 3;
  d.history = {{1, "HTTP 500"}, {2, "connect: refused"}};
  auto back = webhooks::delivery_from(webhooks::to_text(d));
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->body == d.body);
  BOOST_TEST(back->history.size() == 2u);
  BOOST_TEST(back->history[1].outcome == "connect: refused");
  BOOST_TEST(!webhooks::delivery_from("{}").has_value());
  BOOST_TEST(!webhooks::delivery_from("[1,2]").has_value());
  BOOST_TEST(!webhooks::webhook_from(R"({"id":1})").has_value());
  auto body = nlohmann::json::parse(webhooks::event_body("evt_1", {"video.ready", "0xabc", "v1", R"({"title":"T"})", 0}));
  BOOST_TEST(body["data"]["video_id"] == "v1");
  BOOST_TEST(body["data"]["title"] == "T");
  BOOST_TEST(body["created_at"] == "1970-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(a_schedule_is_claimed_once_per_period) {
  schedules::definition d{"auth.sweep", "sweeps", "cluster", 60'000};
  auto first = schedules::claim(d, std::nullopt, "a", 1000, false);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->next_run_ms == 61'000);
  BOOST_TEST(first->last_node == "a");
  auto stored = schedules::from_text(schedules::to_text(*first));
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(!schedules::claim(d, stored, "b", 60'999, false).has_value());  // not due yet
  BOOST_TEST(schedules::claim(d, stored, "b", 61'000, false).has_value());
  BOOST_TEST(schedules::claim(d, stored, "b", 2000, true).has_value());  // run now
  BOOST_TEST(schedules::key_of(d, "a") == "schedules/auth.sweep");
  schedules::definition per_node{"uploads.sweep", "", "node", 60'000};
  BOOST_TEST(schedules::key_of(per_node, "a") == "schedules/uploads.sweep@a");
}
