#include "runtime/hash_ring.hpp"

#include <algorithm>

namespace sg {

namespace {
const std::string nobody;
}

hash_ring::hash_ring(size_t points_per_member) : points_per_member_(points_per_member) {
}

uint64_t hash_ring::hash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void hash_ring::add(const std::string& member) {
  auto at = std::lower_bound(members_.begin(), members_.end(), member);
  if (at != members_.end() && *at == member)
    return;
  members_.insert(at, member);
  rebuild();
}

void hash_ring::remove(const std::string& member) {
  auto at = std::lower_bound(members_.begin(), members_.end(), member);
  if (at == members_.end() || *at != member)
    return;
  members_.erase(at);
  rebuild();
}

bool hash_ring::contains(const std::string& member) const {
  return std::binary_search(members_.begin(), members_.end(), member);
}

// Points depend only on the member's name, so a member keeps its arcs when
// others come and go.
void hash_ring::rebuild() {
  points_.clear();
  points_.reserve(members_.size() * points_per_member_);
  for (size_t m = 0; m < members_.size(); ++m)
    for (size_t p = 0; p < points_per_member_; ++p)
      points_.emplace_back(hash(members_[m] + "#" + std::to_string(p)), m);
  std::sort(points_.begin(), points_.end());
}

const std::string& hash_ring::owner(std::string_view key) const {
  if (points_.empty())
    return nobody;
  auto h = hash(key);
  auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, size_t{0}));
  if (it == points_.end())
    it = points_.begin();  // past the last point: around to the first
  return members_[it->second];
}

}  // namespace sg
