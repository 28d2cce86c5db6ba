// Exploration runs in the campaign: the run's word of the space, and the
// settings that make the sampled mode exhaustive.
#include "explore_run.h"

#include <cassert>

namespace torture {

namespace {

// Images drawn at a (point, policy) whose choice space is over the walk's
// budget (a corruption's every bit); as many as the sampled mode judges.
constexpr uint32_t kPartialSampleImages = 4;

}  // namespace

Workload explore_campaign_workload(const CampaignOptions& options, uint64_t index) {
  assert(options.explore);
  const ExploreOptions& e = *options.explore;
  const ExploreRunId id = explore_run_id(e, options.durabilities.size(), index);
  return explore_workload(e.alphabet, e.max_ops, id.workload);
}

SimSettings explore_settings(const CampaignOptions& options, uint64_t index) {
  assert(options.explore);
  const ExploreOptions& e = *options.explore;
  const ExploreRunId id = explore_run_id(e, options.durabilities.size(), index);
  SimSettings settings;
  settings.durability = options.durabilities[id.durability];
  assert(settings.durability == workload_durability(options, index));
  settings.policies = options.policies;
  settings.fs_model = e.fs_models[id.fs_model];
  settings.sector_bytes = options.sector_bytes;
  settings.exhaustive = true;
  // Every operation of the file system is a crash point, not a sample.
  settings.mutation_sample_per_mille = 1000;
  // A second crash inside a recovery is not part of the space (a crash step
  // followed by more steps is how a history crashes again).
  settings.recovery_crash_per_mille = 0;
  settings.images_per_policy = kPartialSampleImages;
  return settings;
}

}  // namespace torture
