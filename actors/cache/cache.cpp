#include "actors/cache/cache.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/cache/cache_shard.hpp"

namespace sg {

namespace {

constexpr auto shard_timeout = std::chrono::seconds(5);

struct cache_state {
  std::vector<cache_shard_actor> shards;
  static inline const char* name = "cache";

  const cache_shard_actor& shard_of(const std::string& key) const {
    return shards[shard_index(key, shards.size())];
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

cache_actor::behavior_type cache(cache_ptr self, size_t shards, uint64_t capacity_bytes) {
  for (size_t i = 0; i < shards; ++i) {
    auto shard = spawn_cache_shard(self->system(), i, capacity_bytes / shards);
    self->link_to(shard);
    self->state.shards.push_back(shard);
  }
  return {
    [self](caf::get_atom, const std::string& key) {
      return self->delegate(self->state.shard_of(key), caf::get_atom::value, key);
    },
    [self](caf::put_atom, const std::string& key, std::vector<char>& value, int64_t ttl_ms) {
      self->send(self->state.shard_of(key), caf::put_atom::value, key, std::move(value), ttl_ms);
    },
    [self](caf::delete_atom, const std::string& key) {
      return self->delegate(self->state.shard_of(key), caf::delete_atom::value, key);
    },
    [self](caf::delete_atom, prefix_atom, const std::string& prefix) -> caf::result<uint64_t> {
      auto rp = self->make_response_promise<uint64_t>();
      fan_out<uint64_t>(self, [rp](caf::expected<std::vector<uint64_t>> counts) mutable {
        if (!counts)
          return rp.deliver(counts.error()), void();
        uint64_t removed = 0;
        for (auto n : *counts)
          removed += n;
        rp.deliver(removed);
      }, caf::delete_atom::value, prefix_atom::value, prefix);
      return rp;
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
  };
}

}  // namespace

cache_actor spawn_cache(caf::actor_system& sys, size_t shards, uint64_t capacity_bytes) {
  return sys.spawn(cache, std::max<size_t>(1, shards), capacity_bytes);
}

}  // namespace sg
