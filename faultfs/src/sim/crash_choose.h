// Choosing crashes: one at random, or every distinct one of a state.
#pragma once

#include <random>
#include <vector>

#include "crash_space.h"
#include "faultfs/crash.h"

namespace faultfs::sim {

// A random choice the policy allows (always valid for `space`).
CrashChoice sample_crash_choice(const CrashSpace& space, std::mt19937_64& rng);

// Choices giving distinct images: all of them when the choice space has at
// most kEnumerationCandidatesMax members and they number at most
// `max_images`; else up to `max_images`, sampled.
inline constexpr size_t kEnumerationCandidatesMax = size_t{1} << 16;
std::vector<CrashChoice> enumerate_crash_choices(const CrashSpace& space, size_t max_images,
                                                 std::mt19937_64& rng);

}  // namespace faultfs::sim
