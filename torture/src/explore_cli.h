// `dbx-torture run`'s exploration flags: --explore exhaustive, --max-ops K,
// --ops-from LIST (torture/explore.h); with --explore, --fs-model also takes
// a comma-separated list or "all", and defaults to both models.
#pragma once

#include <optional>
#include <string>

#include "faultfs/status.h"
#include "torture/explore.h"
#include "torture/options.h"

namespace CLI {
class App;
}  // namespace CLI

namespace torture {

struct ExploreFlags {
  std::string explore;  // Empty: a seeded campaign.
  uint32_t max_ops = 2;
  std::string ops_from = kExploreOpsDefault;
};

void add_explore_flags(CLI::App* run, ExploreFlags* flags);

// The exploration the flags ask for (nullopt without --explore). With one,
// `*fs_model_flag` (--fs-model) is parsed here and rewritten to the first
// model's name, which run's own parsing then accepts; `fs_model_given`:
// whether --fs-model was on the command line.
[[nodiscard]] faultfs::Result<std::optional<ExploreOptions>> parse_explore_flags(
    const ExploreFlags& flags, bool fs_model_given, std::string* fs_model_flag);

// Turns finished run options into an exploration campaign: sim mode, no
// injected I/O errors, one workload per run of the space, bounded by --time
// only when it was given.
[[nodiscard]] faultfs::Status apply_explore(ExploreOptions explore, bool time_given,
                                            CampaignOptions* options);

}  // namespace torture
