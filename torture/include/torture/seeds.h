// Deriving independent seeds from a campaign seed (splitmix64 finalizer):
// workload i of a campaign, crash point j of a workload, and so on. Pure
// functions, so any process derives the same seeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

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

// The streams: each draw of a campaign or a workload that must stay
// independent of the others takes its own constant as one argument of
// derive_seed. The values are part of every saved artifact's meaning (a
// replay draws the same choices again): never change one; add a new one.
namespace streams {
// Of the campaign seed, with the workload's index.
inline constexpr uint64_t kWorkloadSeed = 0x5eed;
inline constexpr uint64_t kWorkloadIoErrors = 0x10e;
// Of a workload's seed.
inline constexpr uint64_t kCrashStep = 0xc7a5;    // Which steps crash (with the step).
inline constexpr uint64_t kCrashImage = 0x9e4e;   // A crash step's image (with the step).
inline constexpr uint64_t kCompaction = 0xc0ac;   // The store's compaction trigger.
inline constexpr uint64_t kSimSample = 0x5a4d;    // Which crash points sim samples.
inline constexpr uint64_t kForkKillPlan = 0xf0f;  // When fork mode kills.
inline constexpr uint64_t kForkThreads = 0x7d;    // Fork mode's writer threads.
inline constexpr uint64_t kForkPowerLoss = 0xb;   // Fork's power-loss images (with the policy).
inline constexpr uint64_t kTransactions = 0x7a5;  // Which steps are transactions, and theirs.

inline constexpr uint64_t kAll[] = {kWorkloadSeed,  kWorkloadIoErrors, kCrashStep,    kCrashImage,
                                    kCompaction,    kSimSample,        kForkKillPlan, kForkThreads,
                                    kForkPowerLoss, kTransactions};
constexpr bool all_distinct() {
  for (size_t i = 0; i < std::size(kAll); ++i) {
    for (size_t j = i + 1; j < std::size(kAll); ++j) {
      if (kAll[i] == kAll[j]) return false;
    }
  }
  return true;
}
static_assert(all_distinct(), "two draws share a seed stream");
}  // namespace streams

}  // namespace torture
