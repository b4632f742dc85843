// The transcode supervisor under CAF's deterministic scheduler: no sleeps,
// the test moves the clock. Its collaborators (job store, media store,
// launcher, worker hosts) are small scripted actors behind the real
// directory; the supervisor is the real one.
#define BOOST_TEST_MODULE supervisor
#include <boost/test/unit_test.hpp>

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/directory/directory.hpp"
#include "actors/transcode/transcode_supervisor.hpp"
#include "messages/registry.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

// What the job store was told, in order.
struct store_log {
  std::vector<job_info> jobs;
  std::vector<video_state> states;
};

job_store_actor::behavior_type job_store(job_store_actor::pointer, std::shared_ptr<store_log> log,
                                         job_info queued) {
  return {
    [queued](caf::get_atom, job_atom, const std::string&) { return queued; },
    [queued](list_atom, job_atom) { return std::vector<job_info>{queued}; },
    [](list_atom, job_atom, job_state) { return std::vector<job_info>{}; },
    [](retry_atom, job_atom, const std::string&) -> caf::result<job_info> {
      return caf::sec::unexpected_message;
    },
    [](dismiss_atom, job_atom, const std::string&) -> caf::result<job_info> {
      return caf::sec::unexpected_message;
    },
    [](create_atom, const principal&, const std::string&) -> caf::result<job_info> {
      return caf::sec::unexpected_message;
    },
    [queued](claim_atom, const std::string&, const std::string&) {
      return queued;
    },
    [log](state_atom, const video_state& s, const job_info& j) {
      log->states.push_back(s);
      log->jobs.push_back(j);
      return video{};
    },
  };
}

media_store_actor::behavior_type media(media_store_actor::pointer) {
  return {
    [](locate_atom, const std::string& v) { return media_paths{v + "/source", v + "/.work", v}; },
    [](caf::put_atom, video_atom, const std::string&) { return caf::ok_atom::value; },
    [](caf::publish_atom, video_atom, const std::string&) { return caf::ok_atom::value; },
    [](stale_atom, video_atom, const std::string&) {},
    [](caf::delete_atom, video_atom, const std::string&) { return caf::ok_atom::value; },
    [](caf::delete_atom, upload_atom, const std::string&) { return caf::ok_atom::value; },
    [](caf::get_atom, media_atom, const std::string&, const std::string&) { return media_stat{}; },
    [](caf::get_atom, media_atom, const std::string&, const std::string&, uint64_t, uint32_t) {
      return std::vector<char>{};
    },
  };
}

// A worker host that fails every run transiently, or never answers (it dies
// instead, when the test says so).
worker_host_actor::behavior_type host(worker_host_actor::pointer self, bool answers,
                                      std::shared_ptr<int> runs) {
  return {
    [=](run_atom, const transcode_ticket& t) -> caf::result<transcode_outcome> {
      ++*runs;
      if (!answers)
        return self->make_response_promise<transcode_outcome>();
      transcode_outcome out;
      out.job_id = t.job_id;
      out.status = job_state::failed;
      out.error = "disk hiccup";  // not permanent: worth a retry
      return out;
    },
    [](cancel_atom, const std::string&) { return caf::ok_atom::value; },
    [](progress_atom) { return job_progress{}; },
  };
}

struct launcher_log {
  std::vector<worker_host_actor> hosts;
};

worker_launcher_actor::behavior_type launcher(worker_launcher_actor::pointer self, bool answers,
                                              std::shared_ptr<launcher_log> log,
                                              std::shared_ptr<int> runs) {
  return {
    [=](caf::spawn_atom) {
      auto h = self->spawn(host, answers, runs);
      log->hosts.push_back(h);
      return h;
    },
    [](caf::join_atom, const std::string&, int32_t, worker_host_actor&) { return caf::ok_atom::value; },
    [](caf::publish_atom, uint16_t) {},
  };
}

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<store_log> stored = std::make_shared<store_log>();
  std::shared_ptr<launcher_log> launched = std::make_shared<launcher_log>();
  std::shared_ptr<int> runs = std::make_shared<int>(0);
  transcode_actor supervisor;

  explicit fixture(bool hosts_answer) {
    register_messages(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    job_info queued;
    queued.id = "job1";
    queued.video_id = "video1";
    queued.owner = "0xowner";
    auto dir = spawn_directory(*sys);
    caf::anon_send(dir, caf::put_atom::value, service::job_store,
                   caf::actor_cast<caf::actor>(sys->spawn(job_store, stored, queued)));
    caf::anon_send(dir, caf::put_atom::value, service::media, caf::actor_cast<caf::actor>(sys->spawn(media)));
    transcode_settings settings;
    settings.max_workers = 1;
    settings.max_attempts = 3;
    settings.backoff_ms = 1000;
    settings.worker_idle_s = 3600;
    auto l = sys->spawn(launcher, hosts_answer, launched, runs);
    supervisor = spawn_transcode_supervisor(*sys, settings, dir, l);
    sched->run();
  }

  ~fixture() {
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    sched->run();
  }

  // Moves the clock in small steps, running what becomes due.
  void advance(caf::timespan by) {
    for (auto step = 100ms; by > caf::timespan{0}; by -= step) {
      sched->advance_time(step);
      sched->run();
    }
  }

  job_state last_state() const { return stored->jobs.back().state; }
};

struct answering : fixture {
  answering() : fixture(true) {}
};
struct dying : fixture {
  dying() : fixture(false) {}
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_transient_failure_retries_after_backoff_then_fails_for_good, answering) {
  // Adopted from the store, run at once: attempt 1 fails.
  BOOST_TEST(*runs == 1);
  BOOST_TEST((last_state() == job_state::queued));
  BOOST_TEST(stored->jobs.back().attempts == 1u);
  // Not before the first backoff (1 s)...
  advance(500ms);
  BOOST_TEST(*runs == 1);
  // ...but after it (t = 1 s): attempt 2, which fails again and waits twice
  // as long, until t = 3 s.
  advance(1000ms);
  BOOST_TEST(*runs == 2);
  BOOST_TEST((last_state() == job_state::queued));
  advance(1000ms);  // t = 2.5 s
  BOOST_TEST(*runs == 2);
  advance(1000ms);  // t = 3.5 s
  BOOST_TEST(*runs == 3);
  // The last attempt's failure is final.
  BOOST_TEST((last_state() == job_state::failed));
  BOOST_TEST(stored->jobs.back().attempts == 3u);
  // Each attempt is in the job's history, for the dead letter.
  const auto& history = stored->jobs.back().history;
  BOOST_REQUIRE(history.size() == 3u);
  for (const auto& a : history) {
    BOOST_TEST(a.node == "local");
    BOOST_TEST(!a.outcome.empty());
    BOOST_TEST(a.ended_ms >= a.started_ms);
  }
  BOOST_TEST((stored->states.back().status == video_status::failed));
  advance(10s);
  BOOST_TEST(*runs == 3);
  BOOST_TEST(launched->hosts.size() == 1u);  // one worker served every attempt
}

BOOST_FIXTURE_TEST_CASE(a_worker_that_dies_mid_job_gets_its_job_requeued, dying) {
  BOOST_TEST(*runs == 1);
  BOOST_TEST((last_state() == job_state::running));
  BOOST_TEST_REQUIRE(launched->hosts.size() == 1u);
  caf::anon_send_exit(launched->hosts.back(), caf::exit_reason::kill);
  sched->run();
  BOOST_TEST((last_state() == job_state::queued));
  BOOST_TEST(stored->jobs.back().crashes == 1u);
  BOOST_TEST(stored->jobs.back().error.find("worker process died") != std::string::npos);
  advance(1500ms);  // after the backoff a fresh worker takes it
  BOOST_TEST(launched->hosts.size() == 2u);
  BOOST_TEST(*runs == 2);
  caf::anon_send_exit(launched->hosts.back(), caf::exit_reason::kill);
  sched->run();
  // Twice: the file is poisonous, never tried again.
  BOOST_TEST((last_state() == job_state::failed));
  BOOST_TEST(stored->jobs.back().error.find("poisonous") != std::string::npos);
  advance(10s);
  BOOST_TEST(*runs == 2);
}
