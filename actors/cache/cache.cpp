#include "actors/cache/cache.hpp"

#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/cache/cache_shard.hpp"
#include "runtime/hash_ring.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto shard_timeout = std::chrono::seconds(5);
// A cache that answers late is worse than a miss.
constexpr auto owner_timeout = std::chrono::milliseconds(500);

struct cache_state {
  std::vector<cache_shard_actor> shards;
  hash_ring ring;  // empty on a single node: every key is this node's
  std::string self_id;
  std::map<std::string, cache_actor> members;  // the other members' caches
  static inline const char* name = "cache";

  const cache_shard_actor& shard_of(const std::string& key) const {
    return shards[shard_index(key, shards.size())];
  }

  // The member cache that owns `key`, or null when this node does.
  cache_actor owner_of(const std::string& key) const {
    if (ring.size() == 0)
      return {};
    auto it = members.find(ring.owner(key));
    return it == members.end() ? cache_actor{} : it->second;
  }
};

using cache_ptr = cache_actor::stateful_pointer<cache_state>;

void add(cache_stats& sum, const cache_stats& s) {
  sum.entries += s.entries;
  sum.bytes += s.bytes;
  sum.capacity_bytes += s.capacity_bytes;
  sum.hits += s.hits;
  sum.misses += s.misses;
  sum.evictions += s.evictions;
  sum.expirations += s.expirations;
}

// Asks every shard and hands the answers, in shard order, to `done` once all
// are in (or the first error).
template <class T, class Done, class... Ts>
void fan_out(cache_ptr self, Done done, Ts... xs) {
  struct gather {
    std::vector<T> answers;
    size_t pending = 0;
    bool failed = false;
  };
  auto g = std::make_shared<gather>();
  g->answers.resize(self->state.shards.size());
  g->pending = g->answers.size();
  for (size_t i = 0; i < self->state.shards.size(); ++i)
    self->request(self->state.shards[i], shard_timeout, xs...)
      .then(
        [g, i, done](T& answer) mutable {
          g->answers[i] = std::move(answer);
          if (--g->pending == 0 && !g->failed)
            done(caf::expected<std::vector<T>>{std::move(g->answers)});
        },
        [g, done](caf::error& e) mutable {
          if (!g->failed) {
            g->failed = true;
            done(caf::expected<std::vector<T>>{std::move(e)});
          }
        });
}

uint64_t sum(const std::vector<uint64_t>& counts) {
  uint64_t total = 0;
  for (auto n : counts)
    total += n;
  return total;
}

// This node's shards, then every other member (each counts as 0 when it
// does not answer: an invalidation must not fail for a member gone).
caf::result<uint64_t> invalidate_everywhere(cache_ptr self, const std::string& prefix) {
  auto rp = self->make_response_promise<uint64_t>();
  struct tally {
    uint64_t removed = 0;
    size_t pending = 0;
  };
  auto t = std::make_shared<tally>();
  t->pending = 1 + self->state.members.size();
  auto one_done = [rp, t](uint64_t n) mutable {
    t->removed += n;
    if (--t->pending == 0)
      rp.deliver(t->removed);
  };
  fan_out<uint64_t>(self, [one_done](caf::expected<std::vector<uint64_t>> counts) mutable {
    one_done(counts ? sum(*counts) : 0);
  }, caf::delete_atom::value, prefix_atom::value, prefix);
  for (const auto& [id, member] : self->state.members)
    self->request(member, owner_timeout, caf::delete_atom::value, here_atom::value, prefix_atom::value, prefix)
      .then([one_done](uint64_t n) mutable { one_done(n); },
            [one_done](caf::error&) mutable { one_done(0); });
  return rp;
}

caf::result<uint64_t> invalidate_here(cache_ptr self, const std::string& prefix) {
  auto rp = self->make_response_promise<uint64_t>();
  fan_out<uint64_t>(self, [rp](caf::expected<std::vector<uint64_t>> counts) mutable {
    if (!counts)
      return rp.deliver(counts.error()), void();
    rp.deliver(sum(*counts));
  }, caf::delete_atom::value, prefix_atom::value, prefix);
  return rp;
}

void adopt_ring(cache_ptr self, const cache_ring& r) {
  auto& st = self->state;
  st.ring = hash_ring{};
  st.members.clear();
  st.self_id = r.self;
  for (size_t i = 0; i < r.members.size() && i < r.caches.size(); ++i) {
    st.ring.add(r.members[i]);
    if (r.members[i] != r.self && r.caches[i])
      st.members.emplace(r.members[i], caf::actor_cast<cache_actor>(r.caches[i]));
  }
}

cache_actor::behavior_type cache(cache_ptr self, size_t shards, uint64_t capacity_bytes) {
  for (size_t i = 0; i < shards; ++i) {
    auto shard = spawn_cache_shard(self->system(), i, capacity_bytes / shards);
    self->link_to(shard);
    self->state.shards.push_back(shard);
  }
  return {
    [self](caf::get_atom, const std::string& key) -> caf::result<cache_lookup> {
      auto owner = self->state.owner_of(key);
      if (!owner)
        return self->delegate(self->state.shard_of(key), caf::get_atom::value, key);
      auto rp = self->make_response_promise<cache_lookup>();
      self->request(owner, owner_timeout, caf::get_atom::value, here_atom::value, key)
        .then([rp](cache_lookup& hit) mutable { rp.deliver(std::move(hit)); },
              [rp](caf::error&) mutable { rp.deliver(cache_lookup{}); });
      return rp;
    },
    [self](caf::put_atom, const std::string& key, std::vector<char>& value, int64_t ttl_ms) {
      if (auto owner = self->state.owner_of(key))
        self->send(owner, caf::put_atom::value, here_atom::value, key, std::move(value), ttl_ms);
      else
        self->send(self->state.shard_of(key), caf::put_atom::value, key, std::move(value), ttl_ms);
    },
    [self](caf::delete_atom, const std::string& key) -> caf::result<uint64_t> {
      auto owner = self->state.owner_of(key);
      if (!owner)
        return self->delegate(self->state.shard_of(key), caf::delete_atom::value, key);
      auto rp = self->make_response_promise<uint64_t>();
      self->request(owner, owner_timeout, caf::delete_atom::value, here_atom::value, key)
        .then([rp](uint64_t n) mutable { rp.deliver(n); },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
      return rp;
    },
    [self](caf::delete_atom, prefix_atom, const std::string& prefix) {
      return invalidate_everywhere(self, prefix);
    },
    [self](stats_atom) -> caf::result<cache_report> {
      auto rp = self->make_response_promise<cache_report>();
      fan_out<cache_stats>(self, [rp](caf::expected<std::vector<cache_stats>> stats) mutable {
        if (!stats)
          return rp.deliver(stats.error()), void();
        cache_report r;
        r.shards = std::move(*stats);
        for (const auto& s : r.shards)
          add(r.total, s);
        rp.deliver(std::move(r));
      }, stats_atom::value);
      return rp;
    },
    [self](caf::get_atom, here_atom, const std::string& key) {
      return self->delegate(self->state.shard_of(key), caf::get_atom::value, key);
    },
    [self](caf::put_atom, here_atom, const std::string& key, std::vector<char>& value, int64_t ttl_ms) {
      self->send(self->state.shard_of(key), caf::put_atom::value, key, std::move(value), ttl_ms);
    },
    [self](caf::delete_atom, here_atom, const std::string& key) {
      return self->delegate(self->state.shard_of(key), caf::delete_atom::value, key);
    },
    [self](caf::delete_atom, here_atom, prefix_atom, const std::string& prefix) {
      return invalidate_here(self, prefix);
    },
    [self](ring_atom, const cache_ring& r) {
      const auto& from = self->current_sender();
      if (from == nullptr || from->node() != self->node())
        return;  // only this node's cluster service places the ring
      adopt_ring(self, r);
    },
  };
}

}  // namespace

cache_actor spawn_cache(caf::actor_system& sys, size_t shards, uint64_t capacity_bytes) {
  return actor_stats::spawn(sys, "cache", cache, std::max<size_t>(1, shards), capacity_bytes);
}

}  // namespace sg
