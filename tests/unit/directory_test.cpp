// The directory and the role table: what lets services find each other by
// name, and the node start and stop its roles in order.
#define BOOST_TEST_MODULE directory
#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/directory/directory.hpp"
#include "app/roles.hpp"
#include "messages/errors.hpp"
#include "messages/registry.hpp"

using namespace sg;

namespace {

struct system_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  system_fixture() {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  // An actor that does nothing until it is told to exit.
  caf::actor idle() {
    return sys->spawn([](caf::event_based_actor*) -> caf::behavior {
      return {[](caf::ok_atom) {}};
    });
  }
};

// Waits for the next update the scoped actor receives.
std::pair<service, caf::actor> next_update(caf::scoped_actor& self) {
  std::pair<service, caf::actor> out{service::cache, caf::actor{}};
  self->receive([&](caf::update_atom, service s, caf::actor h) { out = {s, std::move(h)}; },
                caf::after(std::chrono::seconds(5)) >> [] { BOOST_FAIL("no update"); });
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(subscribers_see_entries_replacements_and_departures, system_fixture) {
  auto dir = spawn_directory(*sys);
  caf::scoped_actor self{*sys};
  auto first = idle();
  self->send(dir, caf::put_atom::value, service::video_store, first);
  self->send(dir, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  auto u = next_update(self);  // what was there before the subscription
  BOOST_TEST((u.first == service::video_store));
  BOOST_TEST((u.second == first));

  auto second = idle();
  self->send(dir, caf::put_atom::value, service::video_store, second);
  u = next_update(self);
  BOOST_TEST((u.second == second));
  caf::actor got;
  self->request(dir, std::chrono::seconds(5), caf::get_atom::value, service::video_store)
    .receive([&](caf::actor& h) { got = h; }, [](caf::error&) { BOOST_FAIL("no entry"); });
  BOOST_TEST((got == second));

  self->send_exit(second, caf::exit_reason::user_shutdown);  // gone: withdrawn by itself
  u = next_update(self);
  BOOST_TEST(!u.second);
  caf::error missing;
  self->request(dir, std::chrono::seconds(5), caf::get_atom::value, service::video_store)
    .receive([](caf::actor&) { BOOST_FAIL("a dead entry"); }, [&](caf::error& e) { missing = e; });
  BOOST_TEST((missing == errc::unavailable));
  self->send_exit(first, caf::exit_reason::user_shutdown);
  self->send_exit(dir, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(a_local_service_wins_and_members_offers_fill_the_gaps, system_fixture) {
  auto dir = spawn_directory(*sys);
  caf::scoped_actor self{*sys};
  self->send(dir, caf::subscribe_atom::value, caf::actor_cast<caf::actor>(self));
  auto from_b = idle(), from_c = idle(), local = idle();
  self->send(dir, caf::put_atom::value, service::auth, from_c, std::string{"node-c-1"});
  auto u = next_update(self);
  BOOST_TEST((u.second == from_c));
  self->send(dir, caf::put_atom::value, service::auth, from_b, std::string{"node-b-1"});
  u = next_update(self);  // the smallest member id: every node picks alike
  BOOST_TEST((u.second == from_b));
  self->send(dir, caf::put_atom::value, service::auth, local);
  u = next_update(self);
  BOOST_TEST((u.second == local));
  self->send(dir, caf::delete_atom::value, std::string{"node-b-1"});  // no change: local still serves
  self->send(dir, caf::put_atom::value, service::auth, caf::actor{});
  u = next_update(self);
  BOOST_TEST((u.second == from_c));
  self->send_exit(from_c, caf::exit_reason::user_shutdown);  // its connection broke
  u = next_update(self);
  BOOST_TEST(!u.second);
  for (auto& a : {from_b, local})
    self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(dir, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(every_need_starts_before_the_role_that_needs_it) {
  const auto& table = role_table();
  for (size_t i = 0; i < table.size(); ++i)
    for (const auto& need : table[i].needs) {
      auto at = std::find_if(table.begin(), table.end(), [&](const role& r) { return r.name == need; });
      BOOST_TEST_REQUIRE((at != table.end()));
      BOOST_TEST(static_cast<size_t>(at - table.begin()) < i, table[i].name << " needs " << need);
    }
}

BOOST_AUTO_TEST_CASE(plans_follow_the_table_and_refuse_what_cannot_run) {
  auto all = plan_roles({});
  BOOST_TEST_REQUIRE(bool(all));
  BOOST_TEST(all->size() == role_table().size());
  BOOST_TEST(all->front()->name == "metadata");
  auto subset = plan_roles({"gateway", "upload", "metadata"});
  BOOST_TEST_REQUIRE(bool(subset));
  std::vector<std::string> order;
  for (const auto* r : *subset)
    order.push_back(r->name);
  BOOST_TEST((order == std::vector<std::string>{"metadata", "upload", "gateway"}));
  auto unknown = plan_roles({"gateway", "dns"});
  BOOST_TEST(!unknown);
  BOOST_TEST(error_detail(unknown.error()).find("unknown role 'dns'") != std::string::npos);
  auto unmet = plan_roles({"upload"});
  BOOST_TEST(!unmet);
  BOOST_TEST(error_detail(unmet.error()).find("needs metadata") != std::string::npos);
  BOOST_TEST(!plan_roles({"stream", "metadata"}));  // media needs this node's gateway
}
