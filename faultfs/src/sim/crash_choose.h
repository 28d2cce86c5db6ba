// Choosing crashes: one at random, or every distinct one of a state.
#pragma once

#include <functional>
#include <random>
#include <vector>

#include "crash_space.h"
#include "faultfs/crash.h"
#include "faultfs/sim_fs.h"

namespace faultfs::sim {

// A random choice the policy allows (always valid for `space`).
CrashChoice sample_crash_choice(const CrashSpace& space, std::mt19937_64& rng);

// Choices giving distinct images: all of them when the choice space has at
// most kEnumerationCandidatesMax members and they number at most
// `max_images`; else up to `max_images`, sampled.
inline constexpr size_t kEnumerationCandidatesMax = size_t{1} << 16;
std::vector<CrashChoice> enumerate_crash_choices(const CrashSpace& space, size_t max_images,
                                                 std::mt19937_64& rng);

// Every distinct image of `space`, each passed to `visit` with its choice and
// whole-image digest as the walk finds it, while the candidates (choices
// built, and the walk's own steps) stay within `candidates_max` and `visit`
// returns true. `complete` in the result: every distinct image was visited.
CrashVisit visit_crash_choices(const CrashSpace& space, size_t candidates_max, std::mt19937_64& rng,
                               const CrashVisitor& visit);

}  // namespace faultfs::sim
