#include "actors/cache/cache_shard.hpp"

#include <list>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "runtime/clock.hpp"
#include "runtime/metrics.hpp"
#include "runtime/actor_stats.hpp"

namespace sg {

namespace {

constexpr auto sweep_interval = std::chrono::seconds(5);

struct entry {
  std::string key;
  std::vector<char> value;
  int64_t expires_ms = 0;
};

struct shard_state {
  uint64_t capacity = 0;
  uint64_t bytes = 0;
  std::list<entry> lru;  // most recently used first
  std::unordered_map<std::string, std::list<entry>::iterator> index;
  cache_stats stats;
  metrics::counter* hits = nullptr;  // series live as long as the process
  metrics::counter* misses = nullptr;
  metrics::counter* evictions = nullptr;
  static inline const char* name = "cache_shard";

  uint64_t cost(const entry& e) const { return e.key.size() + e.value.size(); }
  void erase(std::list<entry>::iterator it) {
    bytes -= cost(*it);
    index.erase(it->key);
    lru.erase(it);
  }
};

// The public interface and the shard's own expiry timer.
using shard_actor = cache_shard_actor::extend<caf::reacts_to<sweep_atom>>;

using shard_ptr = shard_actor::stateful_pointer<shard_state>;

shard_actor::behavior_type shard(shard_ptr self, size_t index, uint64_t capacity) {
  auto& st = self->state;
  st.capacity = capacity;
  st.stats.capacity_bytes = capacity;
  auto label = metrics::labels{{"shard", std::to_string(index)}};
  auto& r = metrics::global();
  st.hits = &r.get_counter("streamgate_cache_hits_total", "Cache hits", label);
  st.misses = &r.get_counter("streamgate_cache_misses_total", "Cache misses", label);
  st.evictions = &r.get_counter("streamgate_cache_evictions_total",
                                "Entries evicted to stay within the byte bound", label);
  self->delayed_send(self, sweep_interval, sweep_atom::value);
  return {
    [self](caf::get_atom, const std::string& key) {
      auto& st = self->state;
      cache_lookup out;
      auto it = st.index.find(key);
      if (it != st.index.end() && it->second->expires_ms <= now_ms()) {
        st.erase(it->second);
        ++st.stats.expirations;
        it = st.index.end();
      }
      if (it == st.index.end()) {
        ++st.stats.misses;
        st.misses->inc();
        return out;
      }
      st.lru.splice(st.lru.begin(), st.lru, it->second);
      ++st.stats.hits;
      st.hits->inc();
      out.found = true;
      out.value = it->second->value;
      return out;
    },
    [self](caf::put_atom, std::string& key, std::vector<char>& value, int64_t ttl_ms) {
      auto& st = self->state;
      if (auto it = st.index.find(key); it != st.index.end())
        st.erase(it->second);
      entry e{std::move(key), std::move(value), now_ms() + ttl_ms};
      if (ttl_ms <= 0 || st.cost(e) > st.capacity)
        return;  // never fits
      while (st.bytes + st.cost(e) > st.capacity && !st.lru.empty()) {
        st.erase(std::prev(st.lru.end()));
        ++st.stats.evictions;
        st.evictions->inc();
      }
      st.bytes += st.cost(e);
      st.lru.push_front(std::move(e));
      st.index[st.lru.front().key] = st.lru.begin();
    },
    [self](caf::delete_atom, const std::string& key) -> uint64_t {
      auto& st = self->state;
      auto it = st.index.find(key);
      if (it == st.index.end())
        return 0;
      st.erase(it->second);
      return 1;
    },
    [self](caf::delete_atom, prefix_atom, const std::string& prefix) -> uint64_t {
      auto& st = self->state;
      uint64_t removed = 0;
      for (auto it = st.lru.begin(); it != st.lru.end();) {
        auto next = std::next(it);
        if (it->key.compare(0, prefix.size(), prefix) == 0) {
          st.erase(it);
          ++removed;
        }
        it = next;
      }
      return removed;
    },
    [self](stats_atom) {
      auto s = self->state.stats;
      s.entries = self->state.index.size();
      s.bytes = self->state.bytes;
      return s;
    },
    [self](sweep_atom) {
      if (self->current_sender() != self->ctrl())
        return;  // our own timer only
      auto& st = self->state;
      auto now = now_ms();
      for (auto it = st.lru.begin(); it != st.lru.end();) {
        auto next = std::next(it);
        if (it->expires_ms <= now) {
          st.erase(it);
          ++st.stats.expirations;
        }
        it = next;
      }
      self->delayed_send(self, sweep_interval, sweep_atom::value);
    },
  };
}

}  // namespace

cache_shard_actor spawn_cache_shard(caf::actor_system& sys, size_t index, uint64_t capacity_bytes) {
  return actor_stats::spawn(sys, "cache_shard", shard, index, capacity_bytes);
}

}  // namespace sg
