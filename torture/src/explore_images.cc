// Method: the walk's visitor only records choices and fingerprints (it runs
// with the state locked, so images are rebuilt after it returns, one at a
// time and only when not judged already: a walk may find thousands); a walk
// over budget keeps what it visited and adds a seeded sample, so the
// (point, policy) is judged at least as widely as the sampled mode would,
// and is counted as partial.
#include "explore_images.h"

#include <algorithm>
#include <cassert>

#include "faultfs/status_macros.h"

namespace torture {

ExploreCounts& ExploreCounts::operator+=(const ExploreCounts& o) {
  points += o.points;
  enumerations += o.enumerations;
  enumerations_partial += o.enumerations_partial;
  images += o.images;
  duplicates += o.duplicates;
  skipped += o.skipped;
  sampled += o.sampled;
  for (const auto& [policy, n] : o.partial_by_policy) partial_by_policy[policy] += n;
  return *this;
}

namespace detail {

using faultfs::CrashChoice;
using faultfs::ImageFingerprint;
using faultfs::SimFs;
using faultfs::Status;

Status ExploreImages::collect(const SimFs& fs, const faultfs::CrashOptions& options,
                              std::mt19937_64& rng, uint32_t sample_images,
                              std::vector<CrashChoice>* choices,
                              std::vector<std::unique_ptr<SimFs>>* images) {
  assert(choices->empty() && images->empty());
  fingerprints_.clear();
  const faultfs::CrashVisit walk = fs.visit_crashes(
      options,
      options.policy == faultfs::CrashPolicy::kCorrupt ? kExploreCorruptCandidatesMax
                                                       : kExploreCandidatesMax,
      rng, [&](const CrashChoice& choice, const ImageFingerprint& fingerprint) {
        choices->push_back(choice);
        images->push_back(nullptr);
        fingerprints_.push_back(fingerprint);
        return true;
      });
  ++counts_.enumerations;
  counts_.images += walk.distinct;
  counts_.duplicates += walk.duplicates;
  if (walk.complete) return Status::ok();
  ++counts_.enumerations_partial;
  ++counts_.partial_by_policy[faultfs::crash_policy_name(options.policy)];
  uint32_t drawn = 0;
  for (uint32_t attempt = 0; attempt < 2 * sample_images && drawn < sample_images; ++attempt) {
    CrashChoice choice;
    std::unique_ptr<SimFs> image = fs.crash(options, rng, &choice);
    const ImageFingerprint fingerprint = image->fingerprint();
    if (std::find(fingerprints_.begin(), fingerprints_.end(), fingerprint) != fingerprints_.end()) {
      continue;
    }
    ++drawn;
    ++counts_.sampled;
    fingerprints_.push_back(fingerprint);
    choices->push_back(std::move(choice));
    images->push_back(std::move(image));
  }
  return Status::ok();
}

Status ExploreImages::build(const SimFs& fs, const faultfs::CrashOptions& options,
                            const std::vector<CrashChoice>& choices, size_t k,
                            std::unique_ptr<SimFs>* image) const {
  assert(k < choices.size());
  if (*image != nullptr) return Status::ok();
  ASSIGN_OR_RETURN(auto built, fs.crash_with(options, choices[k]));
  *image = std::move(built);
  return Status::ok();
}

bool ExploreImages::first_sight(size_t k, const oracle::Bounds& bounds, bool beyond_contract,
                                const oracle::HistorySummary& summary) {
  assert(k < fingerprints_.size());
  const Key key{fingerprints_[k].first,
                fingerprints_[k].second,
                bounds.lo,
                bounds.hi,
                bounds.checkpoint_from,
                bounds.checkpoint_to,
                static_cast<uint64_t>(bounds.durability) * 8 +
                    static_cast<uint64_t>(bounds.crash) * 2 + (beyond_contract ? 1 : 0),
                summary.opens,
                summary.crashes};
  if (judged_.insert(key).second) return true;
  ++counts_.skipped;
  return false;
}

}  // namespace detail
}  // namespace torture
