// The bytes every workload writes: 16-byte keys and 100-byte values,
// a pure function of the key's index so that a read can be checked without
// remembering what was written.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline constexpr size_t kKeySizeBytes = 16;
inline constexpr size_t kValueSizeBytes = 100;

// A key: the index in 16 zero-padded decimal digits, so bytewise order is
// numeric order (fillseq writes in key order).
class Key {
 public:
  explicit Key(uint64_t index);
  std::string_view view() const { return std::string_view(bytes_.data(), bytes_.size()); }

 private:
  std::array<char, kKeySizeBytes> bytes_;
};

// Values are slices of one buffer of random (incompressible) bytes, so no
// engine gains from compressing them and generating one costs nothing.
class ValueSource {
 public:
  ValueSource();
  std::string_view value(uint64_t index) const;

 private:
  std::string pool_;
};

// A seeded bijection of [0, count), computed on the fly: the scale runs fill
// tens of millions of keys in random order without an index vector (80 MB
// at 20M keys) inflating the memory they measure. at(i) for i in [0, count)
// visits every index exactly once.
class IndexPermutation {
 public:
  IndexPermutation(uint64_t count, uint64_t seed);
  uint64_t at(uint64_t i) const;

 private:
  // A bijection of [0, 2^bits_): rounds of add, odd multiply and xorshift.
  uint64_t scramble(uint64_t x) const;

  uint64_t count_;
  uint64_t mask_;  // 2^bits_ - 1, the smallest power of two >= count_, minus one.
  unsigned shift_;
  uint64_t seed_;
};

// 0..count-1 in a seeded random order: every key written exactly once.
std::vector<uint32_t> shuffled_indexes(uint64_t count, uint64_t seed);

// `count` indexes drawn uniformly from [0, bound), seeded.
std::vector<uint32_t> random_indexes(uint64_t count, uint64_t bound, uint64_t seed);

}  // namespace bench
