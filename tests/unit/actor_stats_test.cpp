// A counted actor (runtime/actor_stats.hpp) reports how many of its name
// run, how many messages wait in their mailboxes and how many were handled,
// as /metrics and the shell's `actors` read them.
#define BOOST_TEST_MODULE actor_stats
#include <boost/test/unit_test.hpp>

#include <future>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "runtime/actor_stats.hpp"

using namespace std::chrono_literals;

namespace {

using gated_actor = caf::typed_actor<caf::reacts_to<int>>;

struct gated_state {
  static inline const char* name = "gated";
};

// Its first message waits until the test opens the gate.
gated_actor::behavior_type gated(gated_actor::stateful_pointer<gated_state>, std::shared_future<void> gate) {
  return {[gate](int) { gate.wait(); }};
}

double value(const std::string& family) {
  return sg::metrics::global().value(family, {{"actor", "gated"}}).value_or(-1);
}

bool eventually(const std::function<bool()>& holds) {
  for (int i = 0; i < 200; ++i) {
    if (holds())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return holds();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_counted_actor_reports_its_mailbox_and_what_it_handled) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::promise<void> open;
  auto gate = open.get_future().share();
  auto actor = sg::actor_stats::spawn<caf::detached>(sys, "gated", gated, gate);
  BOOST_TEST(value("streamgate_actor_instances") == 1);
  for (int i = 0; i < 5; ++i)
    caf::anon_send(actor, i);
  // The first is being handled (it waits at the gate), four wait behind it.
  BOOST_TEST(eventually([] { return value("streamgate_actor_mailbox") == 5; }));
  BOOST_TEST(value("streamgate_actor_messages_total") == 0);
  open.set_value();
  BOOST_TEST(eventually([] { return value("streamgate_actor_messages_total") == 5; }));
  BOOST_TEST(value("streamgate_actor_mailbox") == 0);
  // Gone: it no longer counts, and what reaches it after is not counted.
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  BOOST_TEST(eventually([] { return value("streamgate_actor_instances") == 0; }));
  caf::anon_send(actor, 6);
  BOOST_TEST(value("streamgate_actor_mailbox") == 0);
}
