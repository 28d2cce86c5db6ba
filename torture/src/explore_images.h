// The crash images of an exhaustive run (SimSettings::exhaustive): every
// distinct image of each (point, policy), walked by SimFs::visit_crashes,
// and the memo that judges one image once per workload.
//
// Two judgements of the same image agree when their bounds agree and the
// history they are checked against is the same up to bounds.hi (judge.h):
// the history only discards writes at a recovery (a record_open() comes
// first) or a crash step, so (fingerprint, bounds, beyond_contract, opens,
// crashes) names one judgement. A repeat is skipped and counted.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "faultfs/sim_fs.h"
#include "faultfs/status.h"
#include "oracle/bounds.h"
#include "oracle/history.h"
#include "torture/sim_runner.h"

namespace torture::detail {

// Candidates one walk may try before it gives way to sampling.
inline constexpr size_t kExploreCandidatesMax = size_t{1} << 16;
// A corruption's choice space is every bit of every byte of every file:
// 2^19 for DBX's first 64 KiB of preallocated WAL alone, each a recovery to
// judge. Its walk is complete only for images of at most 512 bytes; beyond,
// it is sampled as the sampled mode does (and counted as partial).
inline constexpr size_t kExploreCorruptCandidatesMax = size_t{1} << 12;

class ExploreImages {
 public:
  // Every distinct image of `fs` under `options`, appended to `choices`, with
  // a null entry in `images` for each (build() makes it, once first_sight()
  // says it is needed); when the walk is over budget, the images it visited
  // plus up to `sample_images` drawn with `rng`, those built already.
  [[nodiscard]] faultfs::Status collect(const faultfs::SimFs& fs,
                                        const faultfs::CrashOptions& options, std::mt19937_64& rng,
                                        uint32_t sample_images,
                                        std::vector<faultfs::CrashChoice>* choices,
                                        std::vector<std::unique_ptr<faultfs::SimFs>>* images);
  // Whether image `k` of the last collect() still needs judging under
  // `bounds`; false (counted as skipped) when it was judged so already.
  bool first_sight(size_t k, const oracle::Bounds& bounds, bool beyond_contract,
                   const oracle::HistorySummary& summary);
  // Image `k` of the last collect(), rebuilt from its choice when null.
  [[nodiscard]] faultfs::Status build(const faultfs::SimFs& fs,
                                      const faultfs::CrashOptions& options,
                                      const std::vector<faultfs::CrashChoice>& choices, size_t k,
                                      std::unique_ptr<faultfs::SimFs>* image) const;
  void count_point() { ++counts_.points; }
  const ExploreCounts& counts() const { return counts_; }

 private:
  using Key = std::array<uint64_t, 9>;

  std::vector<faultfs::ImageFingerprint> fingerprints_;  // Of the last collect().
  std::set<Key> judged_;
  ExploreCounts counts_;
};

}  // namespace torture::detail
