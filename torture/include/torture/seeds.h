// Deriving independent seeds from a campaign seed (splitmix64 finalizer):
// workload i of a campaign, crash point j of a workload, and so on. Pure
// functions, so any process derives the same seeds.
#pragma once

#include <cstdint>

namespace torture {

inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return mix64(mix64(mix64(seed) ^ a) ^ (b * 0x632be59bd9b4e019ull));
}

}  // namespace torture
