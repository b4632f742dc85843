// The jobs service over a real metadata store (RocksDB in a temporary
// directory): schedules run when due and on request, their records say when
// and where, and two services sharing one store (two members of a cluster)
// run a cluster-scope schedule once per period between them.
#define BOOST_TEST_MODULE jobs
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/directory/directory.hpp"
#include "actors/jobs/jobs_service.hpp"
#include "actors/jobs/schedules.hpp"
#include "actors/metadata/metadata_store.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"
#include "runtime/clock.hpp"
#include "runtime/ids.hpp"
#include "runtime/log.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("sg-jobs-" + random_hex(6));
  directory_actor directory;
  metadata_actor store;
  std::vector<jobs_actor> services;

  fixture() {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    log::keep_recent(1000);
    directory = spawn_directory(*sys);
    store = spawn_metadata_store(*sys, dir.string(), directory);
    for (const auto& s : {service::auth_records, service::ops_store})
      caf::anon_send(directory, caf::put_atom::value, s, caf::actor_cast<caf::actor>(store));
  }

  jobs_actor start(const std::string& node, uint32_t max_attempts = 3, int64_t backoff_ms = 1000) {
    jobs_settings s;
    s.node = node;
    s.max_attempts = max_attempts;
    s.backoff_ms = backoff_ms;
    services.push_back(spawn_jobs_service(*sys, s, directory));
    return services.back();
  }

  // The schedules as `jobs` lists them (once it has found the store).
  std::vector<schedule_info> schedules(const jobs_actor& jobs) {
    caf::scoped_actor self{*sys};
    for (int i = 0; i < 50; ++i) {
      caf::error failed;
      std::vector<schedule_info> out;
      self->request(jobs, 10s, schedule_atom::value, list_atom::value)
        .receive([&](std::vector<schedule_info>& s) { out = std::move(s); }, [&](caf::error& e) { failed = e; });
      if (!failed)
        return out;
      BOOST_REQUIRE_MESSAGE(failed == errc::unavailable, caf::to_string(failed));
      std::this_thread::sleep_for(100ms);
    }
    BOOST_FAIL("the jobs service never found the store");
    return {};
  }

  static const schedule_info& named(const std::vector<schedule_info>& list, const std::string& name) {
    for (const auto& s : list)
      if (s.name == name)
        return s;
    throw std::runtime_error("no schedule " + name);
  }

  // Waits until `name` has run (as `jobs` reads its record).
  schedule_info ran(const jobs_actor& jobs, const std::string& name) {
    for (int i = 0; i < 50; ++i) {
      auto s = named(schedules(jobs), name);
      if (s.last_outcome == "ok" || s.last_outcome == "failed" || s.last_outcome == "retrying")
        return s;
      std::this_thread::sleep_for(100ms);
    }
    BOOST_FAIL(name + " never ran");
    return {};
  }

  static size_t runs_logged(const std::string& schedule) {
    size_t n = 0;
    for (const auto& line : log::recent({log::level::info, "jobs", 0, 1000}))
      if (line.json.find("\"scheduled job ran\"") != std::string::npos &&
          line.json.find("\"schedule\":\"" + schedule + "\"") != std::string::npos)
        ++n;
    return n;
  }

  ~fixture() {
    for (auto& j : services)
      caf::anon_send_exit(j, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    // A detached actor's thread ends once no handle is left.
    services.clear();
    store = nullptr;
    directory = nullptr;
    sys.reset();
    std::filesystem::remove_all(dir);
    log::keep_recent(0);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(jobs_service, fixture)

BOOST_AUTO_TEST_CASE(a_due_schedule_runs_and_its_record_says_so) {
  auto jobs = start("node-a");
  auto s = ran(jobs, "auth.sweep");
  BOOST_TEST(s.last_outcome == "ok");
  BOOST_TEST(s.last_detail == "dropped 0 spent sign-in records");
  BOOST_TEST(s.last_node == "node-a");
  BOOST_TEST(s.scope == "cluster");
  BOOST_TEST(s.next_run_ms - s.last_run_ms == 60'000);
  // No upload service on this node: its node-scope sweep says why it failed,
  // and is tried again after the backoff rather than a period later.
  auto uploads = ran(jobs, "uploads.sweep");
  BOOST_TEST(uploads.last_outcome == "retrying");
  BOOST_TEST(uploads.failures == 1u);
  BOOST_TEST(uploads.next_run_ms - uploads.last_run_ms == 1000);
  BOOST_TEST(uploads.last_detail.find("no upload service") != std::string::npos, uploads.last_detail);
}

BOOST_AUTO_TEST_CASE(a_failing_schedule_backs_off_doubling_then_waits_for_its_period) {
  auto jobs = start("node-a", 3, 200);
  std::vector<int64_t> runs;
  schedule_info s;
  for (int i = 0; i < 100 && s.last_outcome != "failed"; ++i) {
    s = named(schedules(jobs), "uploads.sweep");
    if (s.last_run_ms > 0 && (runs.empty() || runs.back() != s.last_run_ms) && s.last_outcome != "running")
      runs.push_back(s.last_run_ms);
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST_REQUIRE(s.last_outcome == "failed");
  BOOST_TEST(s.failures == 0u);  // given up: the count starts over
  BOOST_TEST(s.last_detail.find("3 failed runs in a row") != std::string::npos, s.last_detail);
  BOOST_TEST(s.next_run_ms - s.last_run_ms == 60'000);  // the period again
  BOOST_TEST_REQUIRE(runs.size() == 3u);
  // 200 ms, then 400 ms (each to the next check of the service's 1 s tick).
  BOOST_TEST(runs[1] - runs[0] >= 200);
  BOOST_TEST(runs[2] - runs[1] >= 400);
}

BOOST_AUTO_TEST_CASE(settling_a_run_keeps_the_retry_within_the_period) {
  schedule_info claimed;
  claimed.last_run_ms = 1'000'000;
  claimed.next_run_ms = 1'000'000 + 5'000;  // a short period
  claimed.failures = 1;
  auto failed = schedules::settle(claimed, caf::expected<std::string>{make_error(errc::unavailable, "x")}, 8, 4'000);
  BOOST_TEST(failed.last_outcome == "retrying");
  BOOST_TEST(failed.failures == 2u);
  BOOST_TEST(failed.next_run_ms == 1'005'000);  // 8 s of backoff, but the period comes first
  auto ok = schedules::settle(failed, caf::expected<std::string>{std::string{"did it"}}, 8, 4'000);
  BOOST_TEST(ok.last_outcome == "ok");
  BOOST_TEST(ok.failures == 0u);
}

BOOST_AUTO_TEST_CASE(a_delayed_run_moves_the_next_run_and_then_runs_then) {
  auto jobs = start("node-a");
  auto first = ran(jobs, "auth.sweep");
  caf::scoped_actor self{*sys};
  auto at = now_ms() + 1500;
  self->request(jobs, 10s, schedule_atom::value, run_atom::value, std::string{"auth.sweep"}, at)
    .receive([&](const schedule_info& s) { BOOST_TEST(s.next_run_ms == at); },
             [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  schedule_info later;
  for (int i = 0; i < 60 && later.last_run_ms <= first.last_run_ms; ++i) {
    std::this_thread::sleep_for(100ms);
    later = named(schedules(jobs), "auth.sweep");
  }
  BOOST_TEST(later.last_run_ms >= at);
  BOOST_TEST(later.last_run_ms < at + 2000);
  self->request(jobs, 10s, schedule_atom::value, run_atom::value, std::string{"auth.sweep"}, int64_t{0})
    .receive([](const schedule_info&) { BOOST_FAIL("a delayed run without a time was taken"); },
             [](caf::error& e) { BOOST_TEST((e == errc::bad_request)); });
}

BOOST_AUTO_TEST_CASE(two_members_run_a_cluster_schedule_once_per_period) {
  auto a = start("node-a");
  auto b = start("node-b");
  auto seen_a = ran(a, "auth.sweep");
  auto seen_b = ran(b, "auth.sweep");
  BOOST_TEST(seen_a.last_run_ms == seen_b.last_run_ms);  // one record, one run
  BOOST_TEST(seen_a.last_node == seen_b.last_node);
  std::this_thread::sleep_for(2s);  // both looked again: not due
  BOOST_TEST(runs_logged("auth.sweep") == 1u);
  // Node-scope schedules have a record each.
  BOOST_TEST(named(schedules(a), "uploads.sweep").last_node == "node-a");
  BOOST_TEST(named(schedules(b), "uploads.sweep").last_node == "node-b");
}

BOOST_AUTO_TEST_CASE(a_schedule_runs_on_request_and_an_unknown_one_is_not_found) {
  auto jobs = start("node-a");
  auto first = ran(jobs, "auth.sweep");
  caf::scoped_actor self{*sys};
  self->request(jobs, 10s, schedule_atom::value, run_atom::value, std::string{"auth.sweep"})
    .receive(
      [&](const schedule_info& s) {
        BOOST_TEST(s.last_outcome == "ok");
        BOOST_TEST(s.last_run_ms > first.last_run_ms);
      },
      [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  self->request(jobs, 10s, schedule_atom::value, run_atom::value, std::string{"nothing"})
    .receive([](const schedule_info&) { BOOST_FAIL("an unknown schedule ran"); },
             [](caf::error& e) { BOOST_TEST((e == errc::not_found)); });
}

BOOST_AUTO_TEST_SUITE_END()
