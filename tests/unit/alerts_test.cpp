// The alert rules' states: pending -> firing after `for`, resolved when the
// condition stops, dropped when it never fired; overrides from --alert.
#define BOOST_TEST_MODULE alerts
#include <boost/test/unit_test.hpp>

#include <optional>

#include "actors/monitor/alert_rules.hpp"

using namespace sg;

namespace {

// A copy: the list is a temporary.
std::optional<alert_info> find(const std::vector<alert_info>& list, const std::string& name) {
  for (const auto& a : list)
    if (a.name == name)
      return a;
  return std::nullopt;
}

alert_signals at(int64_t ms) {
  alert_signals s;
  s.now_ms = ms;
  s.data_free_bytes = 100.0 * (1 << 30);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_rule_pends_then_fires_then_resolves) {
  auto rules = default_alert_rules();
  BOOST_TEST(override_alert_rule(rules, "disk_free=1000/10").empty());
  alert_book book;
  auto s = at(1000);
  s.data_free_bytes = 10;
  book.evaluate(rules, s);
  auto a = find(book.list(), "disk_free");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->state == "pending");
  BOOST_TEST(a->value == 10);
  BOOST_TEST(a->threshold == 1000);
  s.now_ms = 10'999;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "disk_free")->state == "pending");
  s.now_ms = 11'000;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "disk_free")->state == "firing");
  BOOST_TEST(find(book.list(), "disk_free")->since_ms == 11'000);
  BOOST_TEST(book.firing("disk_free"));
  s.now_ms = 12'000;
  s.data_free_bytes = 5000;
  book.evaluate(rules, s);
  a = find(book.list(), "disk_free");
  BOOST_TEST(a->state == "resolved");
  BOOST_TEST(a->until_ms == 12'000);
  BOOST_TEST(!book.firing("disk_free"));
  // Kept an hour, then gone.
  s.now_ms = 12'000 + alert_book::keep_resolved_ms + 1;
  book.evaluate(rules, s);
  BOOST_TEST(!find(book.list(), "disk_free").has_value());
}

BOOST_AUTO_TEST_CASE(a_pending_alert_that_stops_holding_is_dropped) {
  auto rules = default_alert_rules();  // transcode_backlog waits a minute
  alert_book book;
  auto s = at(0);
  s.queued_per_worker = 9;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "transcode_backlog")->state == "pending");
  s.now_ms = 30'000;
  s.queued_per_worker = 1;
  book.evaluate(rules, s);
  BOOST_TEST(!find(book.list(), "transcode_backlog").has_value());
}

BOOST_AUTO_TEST_CASE(a_resolved_alert_that_holds_again_pends_anew) {
  auto rules = default_alert_rules();  // rpc_circuit_open fires at once
  alert_book book;
  auto s = at(0);
  s.rpc_circuits_open = 1;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "rpc_circuit_open")->state == "firing");
  s.now_ms = 1000;
  s.rpc_circuits_open = 0;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "rpc_circuit_open")->state == "resolved");
  s.now_ms = 2000;
  s.rpc_circuits_open = 2;
  book.evaluate(rules, s);
  BOOST_TEST(find(book.list(), "rpc_circuit_open")->state == "firing");
  BOOST_TEST(find(book.list(), "rpc_circuit_open")->since_ms == 2000);
}

BOOST_AUTO_TEST_CASE(an_absent_signal_never_holds) {
  auto rules = default_alert_rules();
  BOOST_TEST(override_alert_rule(rules, "etcd_unreachable=0").empty());
  alert_book book;
  book.evaluate(rules, at(0));  // not clustered: no etcd signal
  BOOST_TEST(!find(book.list(), "etcd_unreachable").has_value());
  BOOST_TEST(!find(book.list(), "node_down").has_value());
  BOOST_TEST(book.list().empty());
}

BOOST_AUTO_TEST_CASE(overrides_are_checked) {
  auto rules = default_alert_rules();
  BOOST_TEST(override_alert_rule(rules, "node_down=off").empty());
  alert_book book;
  auto s = at(0);
  s.members_down = 3;
  book.evaluate(rules, s);
  BOOST_TEST(!find(book.list(), "node_down").has_value());
  for (const char* bad : {"nope=1", "disk_free", "disk_free=", "disk_free=-1", "disk_free=abc",
                          "disk_free=1/x", "disk_free=1/999999", "disk_free=nan", "disk_free=inf", "=1"})
    BOOST_TEST(!override_alert_rule(rules, bad).empty(), bad);
  BOOST_TEST(override_alert_rule(rules, "transcode_failures=2.5/0").empty());
}
