// The etcd client: the gateway's encoding traps on documents written as etcd
// 3.4 sends them, then every call against a real etcd on loopback (leases
// expire, a failed txn says so, a watch sees puts and lease expiry, an
// unreachable first endpoint fails over).
#define BOOST_TEST_MODULE etcd
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/certs.hpp"
#include "cluster/etcd.hpp"
#include "cluster/shared_settings.hpp"
#include "tests/support/etcd_process.hpp"

using nlohmann::json;
namespace wire = sg::etcd::wire;

// As streamgate's main does: a TLS peer that hangs up must not kill us.
struct ignore_sigpipe {
  ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(ignore_sigpipe);

BOOST_AUTO_TEST_SUITE(encoding)

BOOST_AUTO_TEST_CASE(bytes_are_base64_and_int64_are_strings) {
  auto put = wire::put("/k", std::string("v\0\xff", 3), 7587862070863458818);
  BOOST_TEST(put["key"] == "L2s=");
  BOOST_TEST(put["value"] == "dgD/");
  BOOST_TEST(put["lease"] == "7587862070863458818");
  BOOST_TEST(!wire::put("/k", "v", 0).contains("lease"));
}

BOOST_AUTO_TEST_CASE(a_prefix_ends_at_its_successor) {
  BOOST_TEST(wire::prefix_end("/sg/members/") == "/sg/members0");
  BOOST_TEST(wire::prefix_end(std::string("a\xff\xff", 3)) == "b");
  BOOST_TEST(wire::prefix_end(std::string("\xff", 1)) == std::string(1, '\0'));
}

BOOST_AUTO_TEST_CASE(int64_fields_come_as_strings_or_numbers_or_not_at_all) {
  auto j = json::parse(R"({"a":"9223372036854775807","b":12,"c":"-3","bad":"1e3","big":"9223372036854775808"})");
  BOOST_TEST(wire::int64_of(j, "a") == INT64_MAX);
  BOOST_TEST(wire::int64_of(j, "b") == 12);
  BOOST_TEST(wire::int64_of(j, "c") == -3);
  BOOST_TEST(wire::int64_of(j, "missing") == 0);
  BOOST_CHECK_THROW(wire::int64_of(j, "bad"), sg::etcd::error);
  BOOST_CHECK_THROW(wire::int64_of(j, "big"), sg::etcd::error);
}

BOOST_AUTO_TEST_CASE(compares_use_the_exact_enum_names) {
  auto txn = wire::create("/k", "v", 0);
  BOOST_TEST(txn["compare"][0]["target"] == "CREATE");
  BOOST_TEST(txn["compare"][0]["result"] == "EQUAL");
  BOOST_TEST(txn["compare"][0]["create_revision"] == "0");
  auto swap = wire::swap("/k", "v", 41, 0);
  BOOST_TEST(swap["compare"][0]["target"] == "MOD");
  BOOST_TEST(swap["compare"][0]["mod_revision"] == "41");
}

BOOST_AUTO_TEST_CASE(a_failed_txn_omits_succeeded) {
  int64_t revision = 0;
  BOOST_TEST(!wire::parse_txn(json::parse(R"({"header":{"revision":"17"}})"), &revision));
  BOOST_TEST(revision == 17);
  BOOST_TEST(wire::parse_txn(json::parse(R"({"header":{"revision":"18"},"succeeded":true})"), &revision));
}

BOOST_AUTO_TEST_CASE(put_events_have_no_type_and_deletes_say_so) {
  auto batch = wire::parse_watch(json::parse(R"({"result":{"header":{"revision":"9"},"events":[
    {"kv":{"key":"L2E=","value":"MQ==","create_revision":"8","mod_revision":"9","version":"2"}},
    {"type":"DELETE","kv":{"key":"L2I=","mod_revision":"9"}}]}})"));
  BOOST_TEST(batch.revision == 9);
  BOOST_REQUIRE(batch.events.size() == 2u);
  BOOST_TEST(!batch.events[0].removed);
  BOOST_TEST(batch.events[0].kv.key == "/a");
  BOOST_TEST(batch.events[0].kv.value == "1");
  BOOST_TEST(batch.events[0].kv.create_revision == 8);
  BOOST_TEST(batch.events[1].removed);
  BOOST_TEST(batch.events[1].kv.key == "/b");
}

BOOST_AUTO_TEST_CASE(a_compacted_watch_says_from_where) {
  auto batch = wire::parse_watch(json::parse(
    R"({"result":{"header":{"revision":"50"},"canceled":true,"compact_revision":"40"}})"));
  BOOST_TEST(batch.canceled);
  BOOST_TEST(batch.compact_revision == 40);
  BOOST_CHECK_THROW(wire::parse_watch(json::parse(R"({"error":{"grpc_code":14}})")), sg::etcd::error);
}

BOOST_AUTO_TEST_CASE(a_range_of_nothing_has_no_kvs_field) {
  auto r = wire::parse_range(json::parse(R"({"header":{"revision":"3"}})"));
  BOOST_TEST(r.revision == 3);
  BOOST_TEST(r.kvs.empty());
  BOOST_CHECK_THROW(wire::parse_range(json::parse(R"({"kvs":[{"key":"not base64!"}]})")), sg::etcd::error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(against_etcd)

BOOST_AUTO_TEST_CASE(puts_ranges_and_conditional_writes) {
  sg::testing::etcd_process etcd;
  sg::etcd::client c{{etcd.url()}};
  auto rev = c.put("/t/a", "1");
  c.put("/t/b", std::string("\0bytes", 6));
  c.put("/u/c", "3");
  auto all = c.get_prefix("/t/");
  BOOST_REQUIRE(all.kvs.size() == 2u);
  BOOST_TEST(all.kvs[1].value == std::string("\0bytes", 6));
  BOOST_TEST(all.kvs[0].mod_revision == rev);
  BOOST_TEST(!c.create("/t/a", "again"));
  int64_t created_at = 0;
  BOOST_TEST(c.create("/t/new", "x", 0, &created_at));
  BOOST_TEST(created_at > rev);
  BOOST_TEST(c.swap("/t/a", "2", rev));
  BOOST_TEST(!c.swap("/t/a", "3", rev));  // someone else's revision
  BOOST_TEST(c.get("/t/a").kvs.at(0).value == "2");
  auto now = c.get("/t/a").kvs.at(0).mod_revision;
  BOOST_TEST(!c.erase("/t/a", rev));
  BOOST_TEST(c.erase("/t/a", now));
  BOOST_TEST(c.get("/t/a").kvs.empty());
}

BOOST_AUTO_TEST_CASE(a_leased_key_goes_when_its_lease_is_not_kept_alive) {
  sg::testing::etcd_process etcd;
  sg::etcd::client c{{etcd.url()}};
  int granted = 0;
  auto lease = c.grant(1, &granted);
  BOOST_TEST(granted >= 1);
  c.put("/m/me", "here", lease);
  BOOST_TEST(c.keep_alive(lease) >= 1);
  BOOST_TEST(c.get("/m/me").kvs.at(0).lease == lease);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!c.get("/m/me").kvs.empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  BOOST_TEST(c.get("/m/me").kvs.empty());
  BOOST_TEST(c.keep_alive(lease) == 0);  // gone
  auto second = c.grant(5);
  c.put("/m/me", "again", second);
  c.revoke(second);
  BOOST_TEST(c.get("/m/me").kvs.empty());
}

BOOST_AUTO_TEST_CASE(a_watch_sees_puts_and_deletes_from_its_start_revision) {
  sg::testing::etcd_process etcd;
  sg::etcd::client writer{{etcd.url()}}, watcher{{etcd.url()}};
  auto first = writer.put("/w/a", "1");
  writer.put("/x/other", "not watched");
  std::vector<sg::etcd::event> seen;
  std::thread t{[&] {
    watcher.watch("/w/", first, [&](const sg::etcd::watch_batch& b) {
      seen.insert(seen.end(), b.events.begin(), b.events.end());
      return seen.size() < 3;
    });
  }};
  writer.put("/w/b", "2");
  auto b = writer.get("/w/b").kvs.at(0).mod_revision;
  writer.erase("/w/b", b);
  t.join();
  BOOST_REQUIRE(seen.size() == 3u);
  BOOST_TEST(seen[0].kv.key == "/w/a");  // from the start revision, not from now
  BOOST_TEST(seen[1].kv.value == "2");
  BOOST_TEST(seen[2].removed);
}

BOOST_AUTO_TEST_CASE(a_blocked_watch_can_be_cancelled) {
  sg::testing::etcd_process etcd;
  sg::etcd::client watcher{{etcd.url()}};
  auto started = std::chrono::steady_clock::now();
  std::thread t{[&] { watcher.watch("/quiet/", 0, [](const sg::etcd::watch_batch&) { return true; }); }};
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  watcher.cancel();
  t.join();
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(an_unreachable_endpoint_fails_over_to_the_next) {
  sg::testing::etcd_process etcd;
  auto dead = "http://127.0.0.1:" + std::to_string(sg::testing::free_port());
  sg::etcd::client c{{dead, etcd.url()}, {}, std::chrono::milliseconds(3000)};
  c.put("/f/a", "1");
  BOOST_TEST(c.endpoint() == etcd.url());
  BOOST_TEST(c.get("/f/a").kvs.size() == 1u);
  sg::etcd::client none{{dead}, {}, std::chrono::milliseconds(500)};
  BOOST_CHECK_THROW(none.put("/f/a", "1"), sg::etcd::error);
}

BOOST_AUTO_TEST_CASE(nodes_racing_for_a_shared_setting_all_get_the_first_value) {
  sg::testing::etcd_process etcd;
  std::vector<std::string> got(6);
  std::vector<std::thread> racers;
  for (size_t i = 0; i < got.size(); ++i)
    racers.emplace_back([&, i] {
      sg::etcd::client c{{etcd.url()}};
      got[i] = sg::cluster::shared_value(c, "/s/settings/secret", "candidate-" + std::to_string(i));
    });
  for (auto& t : racers)
    t.join();
  for (const auto& g : got)
    BOOST_TEST(g == got.front());
  BOOST_TEST(got.front().rfind("candidate-", 0) == 0u);
  sg::etcd::client late{{etcd.url()}};
  BOOST_TEST(sg::cluster::shared_value(late, "/s/settings/secret", "late") == got.front());
}

BOOST_AUTO_TEST_CASE(an_etcd_that_demands_client_certificates_is_reached_with_ours_only) {
  char tmpl[] = "/tmp/sg-etcd-tls-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  sg::certs::options server{dir + "/server", dir + "/ca.key", 0, false};
  sg::certs::create_ca(server);
  sg::certs::create_node(server, "etcd", {"127.0.0.1"});
  auto client = server;
  client.certs_dir = dir + "/client";
  std::filesystem::create_directories(client.certs_dir);
  std::filesystem::copy_file(server.certs_dir + "/ca.crt", client.certs_dir + "/ca.crt");
  sg::certs::create_node(client, "node-a", {});
  sg::testing::etcd_process etcd{{server.certs_dir + "/node.crt", server.certs_dir + "/node.key",
                                  server.certs_dir + "/ca.crt"}};
  BOOST_REQUIRE(etcd.url().rfind("https://", 0) == 0u);
  sg::etcd::tls_files ours{client.certs_dir + "/ca.crt", client.certs_dir + "/node.crt", client.certs_dir + "/node.key"};
  sg::etcd::client c{{etcd.url()}, ours};
  int64_t rev = 0;
  for (int i = 0; i < 50 && rev == 0; ++i) {
    try {
      rev = c.put("/tls/a", "1");
    } catch (const sg::etcd::error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  BOOST_TEST(rev > 0);
  BOOST_TEST(c.get("/tls/a").kvs.at(0).value == "1");
  sg::etcd::client anonymous{{etcd.url()}, {client.certs_dir + "/ca.crt", "", ""}, std::chrono::milliseconds(1000)};
  BOOST_CHECK_THROW(anonymous.put("/tls/b", "1"), sg::etcd::error);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
