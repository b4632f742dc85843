#define BOOST_TEST_MODULE cache_shard
#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/cache/cache_shard.hpp"
#include "messages/registry.hpp"

using namespace sg;

namespace {

struct shard_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  cache_shard_actor shard;

  shard_fixture() {
    register_messages(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    shard = spawn_cache_shard(*sys, 0, 100);  // bytes: key + value
  }
  ~shard_fixture() { caf::anon_send_exit(shard, caf::exit_reason::user_shutdown); }

  template <class R, class... Ts>
  R ask(Ts&&... xs) {
    caf::scoped_actor self{*sys};
    R out{};
    self->request(shard, std::chrono::seconds(5), std::forward<Ts>(xs)...)
      .receive([&](R& r) { out = std::move(r); },
               [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
    return out;
  }
  // put is one-way; a get behind it in the same mailbox sees its effect.
  void put(const std::string& key, size_t bytes, int64_t ttl_ms = 60000) {
    caf::anon_send(shard, caf::put_atom::value, key, std::vector<char>(bytes, 'x'), ttl_ms);
  }
  bool has(const std::string& key) { return ask<cache_lookup>(caf::get_atom::value, key).found; }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(least_recently_used_goes_first, shard_fixture) {
  put("a", 39);  // 40 bytes with its key
  put("b", 39);
  BOOST_TEST(has("a"));  // a is now more recent than b
  put("c", 39);          // 120 > 100: b goes
  BOOST_TEST(!has("b"));
  BOOST_TEST(has("a"));
  BOOST_TEST(has("c"));
  auto s = ask<cache_stats>(stats_atom::value);
  BOOST_TEST(s.evictions == 1u);
  BOOST_TEST(s.entries == 2u);
  BOOST_TEST(s.bytes == 80u);
  BOOST_TEST(s.hits == 3u);
  BOOST_TEST(s.misses == 1u);
}

BOOST_FIXTURE_TEST_CASE(replacing_a_value_counts_its_bytes_once, shard_fixture) {
  put("k", 49);
  put("k", 9);
  auto s = ask<cache_stats>(stats_atom::value);
  BOOST_TEST(s.entries == 1u);
  BOOST_TEST(s.bytes == 10u);
  put("big", 200);  // larger than the shard: never stored, evicts nothing
  BOOST_TEST(!has("big"));
  BOOST_TEST(has("k"));
}

BOOST_FIXTURE_TEST_CASE(expired_entries_are_gone, shard_fixture) {
  put("past", 5, -1);
  put("none", 5, 0);
  BOOST_TEST(!has("past"));
  BOOST_TEST(!has("none"));
}

BOOST_FIXTURE_TEST_CASE(invalidation_by_key_and_prefix, shard_fixture) {
  put("nft|1", 5);
  put("nft|2", 5);
  put("seg|1", 5);
  BOOST_TEST(ask<uint64_t>(caf::delete_atom::value, std::string{"seg|1"}) == 1u);
  BOOST_TEST(ask<uint64_t>(caf::delete_atom::value, std::string{"seg|1"}) == 0u);
  BOOST_TEST(ask<uint64_t>(caf::delete_atom::value, prefix_atom::value, std::string{"nft|"}) == 2u);
  BOOST_TEST(ask<cache_stats>(stats_atom::value).entries == 0u);
}

BOOST_AUTO_TEST_CASE(keys_spread_over_shards_stably) {
  BOOST_TEST(shard_index("nft|abc", 4) == shard_index("nft|abc", 4));
  std::vector<int> used(4);
  for (int i = 0; i < 400; ++i)
    ++used[shard_index("key" + std::to_string(i), 4)];
  for (int n : used)
    BOOST_TEST(n > 60);  // roughly even
}
