#include "messages/sketches.hpp"

#include <algorithm>
#include <cmath>

namespace sg::sketch {

namespace hll {

namespace {
constexpr int index_bits = 10;
}

void add(std::string& regs, uint64_t hash) {
  if (regs.size() != registers)
    regs.assign(registers, '\0');
  auto index = static_cast<size_t>(hash >> (64 - index_bits));
  uint64_t rest = hash << index_bits;
  // The position of the first 1 bit of what is left, counted from 1.
  int rank = rest == 0 ? 64 - index_bits + 1 : __builtin_clzll(rest) + 1;
  auto& r = reinterpret_cast<unsigned char&>(regs[index]);
  r = static_cast<unsigned char>(std::max<int>(r, rank));
}

void merge(std::string& into, const std::string& other) {
  if (other.size() != registers)
    return;
  if (into.size() != registers) {
    into = other;
    return;
  }
  for (size_t i = 0; i < registers; ++i)
    into[i] = static_cast<char>(std::max(static_cast<unsigned char>(into[i]), static_cast<unsigned char>(other[i])));
}

uint64_t estimate(const std::string& regs) {
  if (regs.size() != registers)
    return 0;
  const double m = registers;
  double sum = 0;
  size_t zeros = 0;
  for (unsigned char r : regs) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    zeros += r == 0;
  }
  double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  if (e <= 2.5 * m && zeros > 0)
    e = m * std::log(m / static_cast<double>(zeros));  // linear counting for small sets
  return static_cast<uint64_t>(std::llround(e));
}

}  // namespace hll

namespace durations {

namespace {
constexpr double first_ms = 10;
constexpr double growth = 1.25;
constexpr size_t count = 45;  // 10 ms * 1.25^43 is about 15 minutes
}  // namespace

size_t bucket_of(int64_t ms) {
  if (ms <= first_ms)
    return 0;
  auto b = static_cast<size_t>(std::ceil(std::log(static_cast<double>(ms) / first_ms) / std::log(growth)));
  return std::min(b, count - 1);
}

int64_t upper_bound_ms(size_t bucket) {
  return static_cast<int64_t>(std::llround(first_ms * std::pow(growth, static_cast<double>(bucket))));
}

size_t bucket_count() { return count; }

void merge(std::vector<uint32_t>& into, const std::vector<uint32_t>& other) {
  if (into.size() < other.size())
    into.resize(std::min(other.size(), count));
  for (size_t i = 0; i < other.size() && i < into.size(); ++i)
    into[i] += other[i];
}

int64_t quantile(const std::vector<uint32_t>& counts, double q) {
  uint64_t total = 0;
  for (auto c : counts)
    total += c;
  if (total == 0)
    return 0;
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= std::max<uint64_t>(rank, 1))
      return upper_bound_ms(i);
  }
  return upper_bound_ms(counts.size() - 1);
}

}  // namespace durations

}  // namespace sg::sketch
