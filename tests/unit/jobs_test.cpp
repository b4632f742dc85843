// The jobs service under CAF's deterministic scheduler: its sweep runs on its
// own timer and on request, against a scripted record store behind the real
// directory.
#define BOOST_TEST_MODULE jobs
#include <boost/test/unit_test.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/directory/directory.hpp"
#include "actors/jobs/scheduler.hpp"
#include "messages/registry.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

// Counts sweeps; each finds `per_sweep` spent records.
auth_records_actor::behavior_type records(auth_records_actor::pointer, std::shared_ptr<int> sweeps,
                                          uint64_t per_sweep) {
  return {
    [](caf::put_atom, nonce_atom, const std::string&, const std::string&) { return caf::ok_atom::value; },
    [](caf::get_atom, nonce_atom, const std::string&) { return std::string{}; },
    [](take_atom, nonce_atom, const std::string&) { return std::string{}; },
    [](revoke_atom, const std::string&, int64_t) { return true; },
    [](caf::get_atom, revoked_atom, const std::string&) { return false; },
    [=](sweep_atom, nonce_atom) {
      ++*sweeps;
      return per_sweep;
    },
  };
}

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<int> sweeps = std::make_shared<int>(0);
  jobs_actor jobs;

  fixture() {
    register_messages(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    auto dir = spawn_directory(*sys);
    caf::anon_send(dir, caf::put_atom::value, service::auth_records,
                   caf::actor_cast<caf::actor>(sys->spawn(records, sweeps, uint64_t{3})));
    jobs = spawn_scheduler(*sys, dir, std::chrono::seconds(60));
    sched->run();
  }

  ~fixture() {
    caf::anon_send_exit(jobs, caf::exit_reason::user_shutdown);
    sched->run();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(jobs_service, fixture)

BOOST_AUTO_TEST_CASE(the_sweep_runs_on_its_timer_again_and_again) {
  // CAF prints messages an actor does not handle ("*** unexpected message")
  // on stdout: a timer's sweep must not answer into its own mailbox.
  std::ostringstream printed;
  auto* old = std::cout.rdbuf(printed.rdbuf());
  BOOST_TEST(*sweeps == 0);
  for (int minute = 1; minute <= 3; ++minute) {
    sched->advance_time(std::chrono::seconds(60));
    sched->run();
    BOOST_TEST(*sweeps == minute);
  }
  std::cout.rdbuf(old);
  BOOST_TEST(printed.str().find("unexpected message") == std::string::npos, printed.str());
}

BOOST_AUTO_TEST_CASE(a_requested_sweep_answers_the_count) {
  caf::scoped_actor self{*sys};
  auto reply = self->request(jobs, caf::infinite, sweep_atom::value);
  sched->run();
  uint64_t swept = 0;
  reply.receive([&](uint64_t n) { swept = n; }, [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST(swept == 3u);
  BOOST_TEST(*sweeps == 1);
}

BOOST_AUTO_TEST_CASE(a_timer_message_from_outside_is_ignored) {
  caf::anon_send(caf::actor_cast<caf::actor>(jobs), caf::tick_atom::value);
  sched->run();
  BOOST_TEST(*sweeps == 0);
}

BOOST_AUTO_TEST_SUITE_END()
