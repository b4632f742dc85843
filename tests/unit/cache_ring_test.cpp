// Two caches on one ring, as two members' caches are: each key lives on its
// owner only, both read every key, an invalidation reaches both, and an
// owner that is gone reads as a miss at once.
#define BOOST_TEST_MODULE cache_ring
#include <boost/test/unit_test.hpp>

#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/cache/cache.hpp"
#include "messages/registry.hpp"

using namespace sg;
using namespace std::chrono_literals;

namespace {

struct two_members {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  cache_actor a, b;
  two_members() {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    a = spawn_cache(*sys, 2, 1 << 20);
    b = spawn_cache(*sys, 2, 1 << 20);
    caf::scoped_actor self{*sys};
    self->send(a, ring_atom::value, cache_ring{"a", {"a", "b"}, {caf::actor{}, caf::actor_cast<caf::actor>(b)}});
    self->send(b, ring_atom::value, cache_ring{"b", {"a", "b"}, {caf::actor_cast<caf::actor>(a), caf::actor{}}});
  }
  ~two_members() {
    caf::scoped_actor self{*sys};
    self->send_exit(a, caf::exit_reason::user_shutdown);
    self->send_exit(b, caf::exit_reason::user_shutdown);
  }
  template <class R, class... Ts>
  R ask(const cache_actor& to, Ts... xs) {
    caf::scoped_actor self{*sys};
    R out{};
    self->request(to, 5s, xs...).receive([&](R& r) { out = std::move(r); },
                                         [](caf::error& e) { BOOST_FAIL(to_string(e)); });
    return out;
  }
  uint64_t entries(const cache_actor& c) { return ask<cache_report>(c, stats_atom::value).total.entries; }
  // Puts are one-way and may take a hop to their owner: wait for them.
  void settle(uint64_t expected) {
    for (int i = 0; i < 500 && entries(a) + entries(b) != expected; ++i)
      std::this_thread::sleep_for(2ms);
  }
};

std::string key(int i) {
  return "nft:1:0xc0ffee:" + std::to_string(i);
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(each_key_lives_on_its_owner_and_both_members_read_it, two_members) {
  caf::scoped_actor self{*sys};
  for (int i = 0; i < 200; ++i)
    self->send(i % 2 ? a : b, caf::put_atom::value, key(i), std::vector<char>{'v'}, int64_t{60000});
  settle(200);
  for (int i = 0; i < 200; ++i)  // both paths answer, whoever owns the key
    for (const auto& c : {a, b})
      BOOST_TEST(ask<cache_lookup>(c, caf::get_atom::value, key(i)).found, key(i));
  auto on_a = entries(a), on_b = entries(b);
  BOOST_TEST(on_a + on_b == 200u);  // once each, not once per member
  BOOST_TEST(on_a > 60u);
  BOOST_TEST(on_b > 60u);
  BOOST_TEST(ask<uint64_t>(a, caf::delete_atom::value, key(7)) == 1u);
  BOOST_TEST(!ask<cache_lookup>(b, caf::get_atom::value, key(7)).found);
  BOOST_TEST(ask<uint64_t>(b, caf::delete_atom::value, prefix_atom::value, std::string{"nft:"}) == 199u);
  BOOST_TEST(entries(a) + entries(b) == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_owner_that_is_gone_reads_as_a_miss_at_once, two_members) {
  caf::scoped_actor self{*sys};
  for (int i = 0; i < 20; ++i)
    self->send(a, caf::put_atom::value, key(i), std::vector<char>{'v'}, int64_t{60000});
  settle(20);
  auto held_by_b = entries(b);
  BOOST_REQUIRE(held_by_b > 0u);
  self->send_exit(b, caf::exit_reason::kill);
  auto started = std::chrono::steady_clock::now();
  size_t found = 0;
  for (int i = 0; i < 20; ++i)
    found += ask<cache_lookup>(a, caf::get_atom::value, key(i)).found ? 1 : 0;
  BOOST_TEST(found == 20u - held_by_b);  // b's keys are misses, not errors
  BOOST_TEST((std::chrono::steady_clock::now() - started < 3s));
}
