// The campaign's side of an exploration (torture/explore.h): workload
// `index` of an --explore campaign is run explore_run_id(index) of the space,
// and runs in sim mode with SimSettings::exhaustive.
#pragma once

#include <cstdint>

#include "torture/options.h"
#include "torture/sim_runner.h"
#include "torture/workload.h"

namespace torture {

// Requires options.explore.
Workload explore_campaign_workload(const CampaignOptions& options, uint64_t index);
SimSettings explore_settings(const CampaignOptions& options, uint64_t index);

}  // namespace torture
