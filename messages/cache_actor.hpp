#pragma once
// cache_shard: key -> bytes with a TTL, bounded in bytes (least recently used
// goes first), invalidation by key or prefix, counters. A key's shard is
// chosen by a stable hash, so every node picks the same shard.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace sg {

struct cache_lookup {
  bool found = false;
  std::vector<char> value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_lookup& x) {
  return f(caf::meta::type_name("cache_lookup"), x.found, x.value);
}

struct cache_stats {
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t capacity_bytes = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t expirations = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_stats& x) {
  return f(caf::meta::type_name("cache_stats"), x.entries, x.bytes, x.capacity_bytes, x.hits,
           x.misses, x.evictions, x.expirations);
}

using cache_shard_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, std::string>::with<cache_lookup>,
  // key, value, time to live in milliseconds
  caf::reacts_to<caf::put_atom, std::string, std::vector<char>, int64_t>,
  caf::replies_to<caf::delete_atom, std::string>::with<uint64_t>,
  // Removes every key starting with the prefix; answers how many went.
  caf::replies_to<caf::delete_atom, prefix_atom, std::string>::with<uint64_t>,
  caf::replies_to<stats_atom>::with<cache_stats>>;

/// What the whole cache holds: the sum, and each shard.
struct cache_report {
  cache_stats total;
  std::vector<cache_stats> shards;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_report& x) {
  return f(caf::meta::type_name("cache_report"), x.total, x.shards);
}

/// The cache members of a cluster (docs/architecture.md §Cache ring): a
/// key belongs to its owner on a consistent-hash ring over `members`.
struct cache_ring {
  std::string self;                  // this node's member id
  std::vector<std::string> members;  // ids of the members with a cache, self included
  std::vector<caf::actor> caches;    // their caches, in the same order (self: null)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_ring& x) {
  return f(caf::meta::type_name("cache_ring"), x.self, x.members, x.caches);
}

/// The cache as its clients see it: one façade that picks a key's shard and
/// sums the shards' counters, so nobody else knows how it is sharded. On a
/// cluster a key is served by its owner on the ring (a failed owner reads as
/// a miss); a prefix is invalidated on every member; stats are this node's.
using cache_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, std::string>::with<cache_lookup>,
  caf::reacts_to<caf::put_atom, std::string, std::vector<char>, int64_t>,
  caf::replies_to<caf::delete_atom, std::string>::with<uint64_t>,
  caf::replies_to<caf::delete_atom, prefix_atom, std::string>::with<uint64_t>,
  caf::replies_to<stats_atom>::with<cache_report>,
  // The same served from this node's shards only: what a member that routed
  // a key here asks.
  caf::replies_to<caf::get_atom, here_atom, std::string>::with<cache_lookup>,
  caf::reacts_to<caf::put_atom, here_atom, std::string, std::vector<char>, int64_t>,
  caf::replies_to<caf::delete_atom, here_atom, std::string>::with<uint64_t>,
  caf::replies_to<caf::delete_atom, here_atom, prefix_atom, std::string>::with<uint64_t>,
  // The ring, from this node's cluster service (from anyone else: ignored).
  caf::reacts_to<ring_atom, cache_ring>>;

/// FNV-1a: stable across processes and builds, unlike std::hash.
inline size_t shard_index(const std::string& key, size_t shards) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return shards == 0 ? 0 : static_cast<size_t>(h % shards);
}

}  // namespace sg
