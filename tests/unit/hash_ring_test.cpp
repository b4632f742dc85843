// The consistent-hash ring: every member's share of keys stays within 10 %
// of 1/N for 3 to 10 members, a joining member takes only keys it owns now
// (about 1/N of them) and a leaving one gives only its own, and the owner of
// a key does not depend on the order members were added.
#define BOOST_TEST_MODULE hash_ring
#include <boost/test/unit_test.hpp>

#include <map>

#include "runtime/hash_ring.hpp"

using sg::hash_ring;

namespace {

std::vector<std::string> keys(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("nft:1:0xabc" + std::to_string(i * 7919) + ":holder" + std::to_string(i));
  return out;
}

std::string member(size_t i) {
  return "node-" + std::to_string(i) + "-5f3a" + std::to_string(i * 31);
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_ring_owns_nothing) {
  hash_ring ring;
  BOOST_TEST(ring.owner("k").empty());
  ring.add("only");
  BOOST_TEST(ring.owner("k") == "only");
}

BOOST_AUTO_TEST_CASE(shares_stay_within_ten_percent_for_three_to_ten_members) {
  const auto all = keys(200000);
  for (size_t n = 3; n <= 10; ++n) {
    hash_ring ring;
    for (size_t i = 0; i < n; ++i)
      ring.add(member(i));
    std::map<std::string, size_t> count;
    for (const auto& k : all)
      ++count[ring.owner(k)];
    const double fair = static_cast<double>(all.size()) / static_cast<double>(n);
    double worst = 0;
    for (const auto& [m, c] : count) {
      worst = std::max(worst, std::abs(static_cast<double>(c) - fair) / fair);
      BOOST_TEST(std::abs(static_cast<double>(c) - fair) / fair < 0.10, n << " members, " << m << ": " << c);
    }
    BOOST_TEST_MESSAGE(n << " members: the largest share is " << 100 * worst << " % off 1/N");
    BOOST_TEST(count.size() == n);
  }
}

BOOST_AUTO_TEST_CASE(a_join_moves_only_keys_to_the_newcomer_and_about_one_in_n) {
  const auto all = keys(100000);
  hash_ring ring;
  for (size_t i = 0; i < 5; ++i)
    ring.add(member(i));
  std::vector<std::string> before;
  for (const auto& k : all)
    before.push_back(ring.owner(k));
  ring.add(member(5));
  size_t moved = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& now = ring.owner(all[i]);
    if (now != before[i]) {
      ++moved;
      BOOST_TEST(now == member(5));  // nothing moves between the old members
    }
  }
  const double share = static_cast<double>(moved) / static_cast<double>(all.size());
  BOOST_TEST(share > 1.0 / 6 * 0.9);
  BOOST_TEST(share < 1.0 / 6 * 1.1);
  ring.remove(member(5));
  for (size_t i = 0; i < all.size(); ++i)
    BOOST_TEST(ring.owner(all[i]) == before[i]);
}

BOOST_AUTO_TEST_CASE(the_owner_does_not_depend_on_the_order_of_joins) {
  hash_ring one, other;
  for (size_t i = 0; i < 7; ++i) {
    one.add(member(i));
    other.add(member(6 - i));
  }
  one.add(member(3));  // twice: no change
  for (const auto& k : keys(5000))
    BOOST_TEST(one.owner(k) == other.owner(k));
  BOOST_TEST(hash_ring::hash("abc") == hash_ring::hash("abc"));
}
