#include "workload_data.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>
#include <random>

namespace bench {
namespace {

constexpr size_t kPoolSizeBytes = size_t{1} << 20;
// Prime, so consecutive indexes start their slices far apart in the pool.
constexpr uint64_t kPoolStride = 7919;

}  // namespace

Key::Key(uint64_t index) {
  assert(index < 10'000'000'000'000'000ull);  // Fits 16 digits.
  for (size_t i = kKeySizeBytes; i > 0; --i) {
    bytes_[i - 1] = static_cast<char>('0' + index % 10);
    index /= 10;
  }
}

ValueSource::ValueSource() : pool_(kPoolSizeBytes, '\0') {
  std::mt19937_64 rng(42);
  for (char& c : pool_) c = static_cast<char>(rng());
}

std::string_view ValueSource::value(uint64_t index) const {
  const size_t offset = (index * kPoolStride) % (pool_.size() - kValueSizeBytes);
  return std::string_view(pool_).substr(offset, kValueSizeBytes);
}

IndexPermutation::IndexPermutation(uint64_t count, uint64_t seed) : count_(count), seed_(seed) {
  assert(count > 0);
  unsigned bits = 1;
  while (bits < 63 && (uint64_t{1} << bits) < count) ++bits;
  mask_ = (uint64_t{1} << bits) - 1;
  shift_ = std::max(1u, bits / 2);
  assert(mask_ >= count - 1 && mask_ / 2 < count);  // Cycle walks stay short.
}

uint64_t IndexPermutation::scramble(uint64_t x) const {
  // Each step is a bijection modulo 2^bits: adding, multiplying by an odd
  // constant, and xoring a masked value with its own right shift.
  x = (x + seed_) & mask_;
  x = (x * 0x9E3779B97F4A7C15ull) & mask_;
  x ^= x >> shift_;
  x = (x * 0xC2B2AE3D27D4EB4Full) & mask_;
  x ^= x >> shift_;
  return x;
}

uint64_t IndexPermutation::at(uint64_t i) const {
  assert(i < count_);
  // Cycle walking: a permutation of [0, 2^bits) restricted to [0, count) by
  // stepping past the values outside it stays a permutation.
  uint64_t x = scramble(i);
  while (x >= count_) x = scramble(x);
  return x;
}

std::vector<uint32_t> shuffled_indexes(uint64_t count, uint64_t seed) {
  assert(count <= std::numeric_limits<uint32_t>::max());
  std::vector<uint32_t> indexes(count);
  std::iota(indexes.begin(), indexes.end(), 0u);
  std::shuffle(indexes.begin(), indexes.end(), std::mt19937_64(seed));
  return indexes;
}

std::vector<uint32_t> random_indexes(uint64_t count, uint64_t bound, uint64_t seed) {
  assert(bound > 0 && bound <= std::numeric_limits<uint32_t>::max());
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(bound - 1));
  std::vector<uint32_t> indexes(count);
  for (uint32_t& index : indexes) index = pick(rng);
  return indexes;
}

}  // namespace bench
