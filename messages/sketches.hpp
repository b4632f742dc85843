#pragma once
// Mergeable summaries for playback analytics, part of its contract (every
// node merges stored rows the same way; docs/architecture.md
// §Analytics): a HyperLogLog that counts distinct viewers without keeping
// who they were, and a histogram of durations on a log scale for
// percentiles. Both merge across hours and nodes without loss of accuracy
// beyond their own.
#include <cstdint>
#include <string>
#include <vector>

namespace sg::sketch {

/// HyperLogLog with 2^10 one-byte registers (Flajolet et al. 2007, with the
/// small-range correction): about 3 % standard error. Registers live in a
/// string (empty: nothing counted) so that they store and travel as bytes.
namespace hll {
constexpr size_t registers = 1024;
/// Counts a 64-bit hash (uniformly distributed bits).
void add(std::string& regs, uint64_t hash);
/// The union of two sketches, into `into`.
void merge(std::string& into, const std::string& other);
uint64_t estimate(const std::string& regs);
}  // namespace hll

/// Durations in milliseconds, counted in buckets whose upper bounds grow by a
/// quarter from 10 ms up to about 10 minutes (the last bucket takes the rest).
namespace durations {
size_t bucket_of(int64_t ms);
int64_t upper_bound_ms(size_t bucket);
size_t bucket_count();
/// Adds `other`'s counts to `into` (sized to fit).
void merge(std::vector<uint32_t>& into, const std::vector<uint32_t>& other);
/// The q-quantile (0..1) as its bucket's upper bound; 0 when empty.
int64_t quantile(const std::vector<uint32_t>& counts, double q);
}  // namespace durations

}  // namespace sg::sketch
